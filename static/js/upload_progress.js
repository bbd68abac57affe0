/*
 * Upload progress of order-list files (templates/orders/upload.html).
 *
 * htmx reports the bytes sent of a request as `htmx:xhr:progress` on the element that made it; on a
 * form marked `data-upload-progress` this moves its <progress> bar, and once the whole file is sent
 * says "Processing…" while the server checks the lines. The bar's box is the form's hx-indicator,
 * shown only while the request runs. A static file: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";

  function parts(event) {
    const form = event.target instanceof Element ? event.target.closest("[data-upload-progress]") : null;
    const box = form && form.querySelector(".upload-progress");
    if (!box) return null;
    return { bar: box.querySelector("progress"), stage: box.querySelector(".upload-stage") };
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    const found = parts(event);
    if (!found) return;
    found.bar.value = 0;
    found.stage.textContent = found.stage.dataset.uploading;
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    const found = parts(event);
    if (!found || !event.detail.lengthComputable || !event.detail.total) return;
    const percent = Math.round((100 * event.detail.loaded) / event.detail.total);
    found.bar.value = percent;
    if (percent >= 100) {
      found.bar.removeAttribute("value"); // indeterminate: the server is checking the lines
      found.stage.textContent = found.stage.dataset.processing;
    } else {
      found.stage.textContent = found.stage.dataset.uploading + " " + percent + "%";
    }
  });
})();
