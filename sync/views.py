"""HTTP: the 1C exchange endpoint and the staff page of data age."""

from __future__ import annotations

import logging
import time

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from accounts.lockout import answers_lockout

from . import exchange, orders_exchange, selectors

logger = logging.getLogger(__name__)


def _text(body: str) -> HttpResponse:
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


@csrf_exempt
@answers_lockout  # a locked ERP login gets `failure` and the reason, not the HTML lockout page
def exchange_1c(request: HttpRequest) -> HttpResponse:
    """One URL, `?type=catalog|sale&mode=...`; every answer is 200 text (or XML for sale/query, info)."""
    kind, mode = request.GET.get("type", ""), request.GET.get("mode", "")
    try:
        return _dispatch(request, kind, mode)
    except exchange.ExchangeFailure as exc:
        logger.info("1C exchange %s/%s refused: %s", kind, mode, exc)
        return _text(f"failure\n{exc}\n")
    except Exception as exc:  # 1C shows only the text: never an HTML error page
        logger.exception("1C exchange %s/%s crashed", kind, mode)
        return _text(f"failure\ninternal error: {type(exc).__name__}\n")


def _dispatch(request: HttpRequest, kind: str, mode: str) -> HttpResponse:
    if kind not in ("catalog", "sale", "import"):
        raise exchange.ExchangeFailure(f"unknown exchange type {kind!r}")
    if mode == "checkauth":
        session = exchange.checkauth(request)
        return _text(f"success\n{exchange.COOKIE}\n{session.token}\nsessid={session.token}\n"
                     f"timestamp={int(time.time())}\n")
    session = exchange.session_of(request)
    name = request.GET.get("filename", "")
    if mode == "init":
        return _text(exchange.init(session, request.GET.get("version", "")))
    if mode == "file":
        if request.method != "POST":
            raise exchange.ExchangeFailure("mode=file expects a POST with the file bytes")
        before = session.uploaded_bytes
        path = exchange.store_chunk(session, name, request)
        # old protocol: the file is applied in `file`, once its last chunk has arrived
        if kind == "sale" and not session.version and exchange.upload_finished(path, session.uploaded_bytes - before):
            return _text(exchange.sale_file_apply(session, name))
        return _text("success\n")
    if mode == "import":
        stream = "order_status" if kind == "sale" else "catalog"
        return _text(exchange.import_step(session, name, stream=stream))
    if mode == "deactivate":
        return _text(exchange.cycle_end(session) if kind == "catalog" else "success\n")
    if mode == "complete":
        answer = exchange.cycle_end(session) if kind == "catalog" else "success\n"
        exchange.session_finish(session)
        return _text(answer)
    if kind == "sale" and mode == "query":
        return orders_exchange.query_response(session)
    if kind == "sale" and mode == "success":
        answer = orders_exchange.confirm(session)
        exchange.session_finish(session)
        return _text(answer)
    if kind == "sale" and mode == "info":
        return orders_exchange.info_response()
    raise exchange.ExchangeFailure(f"unknown command: type={kind} mode={mode}")


@staff_member_required
def data_age(request: HttpRequest) -> HttpResponse:
    """Staff page: per stream, the last success, the age of its data, the last error."""
    return render(request, "sync/data_age.html", {"streams": selectors.stream_status(),
                                                  "stale": selectors.stock_stale()})
