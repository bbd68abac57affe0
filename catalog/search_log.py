"""The log of catalog searches that found nothing (SearchMiss), kept cheap for the hot search path.

Only the listing's search records a miss: the header's typeahead asks at every pause in typing,
so its prefixes ("са", "сам", "само") would flood the log with queries nobody meant. A listing
search with facet, price or stock filters that finds nothing is not a miss either: the filters
emptied it, not the catalog. Nothing is written for a search that found something.
"""

import datetime

from django.db import connection
from django.utils import timezone

from base.rawsql import table

from .models import SearchMiss


def normalize_missed_query(query: str) -> str:
    """The query as it is counted: lower case, single spaces, at most the column's length."""
    return " ".join(query.lower().split())[:SearchMiss._meta.get_field("query").max_length].rstrip()


def search_miss_record(*, query: str, region_id: int | None, now: datetime.datetime | None = None) -> None:
    """Count one search for `query` in `region_id` that found nothing: one INSERT … ON CONFLICT.

    The row of (normalised query, region, local day) is created with a count of 1 or has its count
    raised and its last time set; concurrent searches add up, none is lost. An empty query is ignored.
    """
    text = normalize_missed_query(query)
    if not text:
        return
    now = now or timezone.now()
    day = timezone.localdate(now)
    if region_id is None:
        key, where = "query, day", "region_id IS NULL"
    else:
        key, where = "query, region_id, day", "region_id IS NOT NULL"
    name, count = table(SearchMiss), connection.ops.quote_name("count")
    sql = (f"INSERT INTO {name} (query, region_id, day, {count}, last_seen_at) VALUES (%s, %s, %s, 1, %s)"  # noqa: S608
           f" ON CONFLICT ({key}) WHERE {where}"
           f" DO UPDATE SET {count} = {name}.{count} + 1, last_seen_at = excluded.last_seen_at")
    params = [text, region_id, connection.ops.adapt_datefield_value(day),
              connection.ops.adapt_datetimefield_value(now)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
