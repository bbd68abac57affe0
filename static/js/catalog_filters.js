// The listing's filters (catalog/_sidebar.jinja). Ticking a box applies at once (htmx on "change"); the
// price bounds apply on Enter, on "Apply", or when the focus has left both of them for a moment, never
// while they are typed in: a reload then would take the focus and the bound being typed.
(() => {
  const PAUSE_MS = 600;
  let timer = null;
  const priceRange = (node) => (node instanceof Element ? node.closest(".filters-form .price-range") : null);
  const changed = (range) => [...range.querySelectorAll("input")].some((input) => input.value !== input.defaultValue);

  // Capture phase at the document: htmx listens on the form, which the event then never reaches.
  document.addEventListener("change", (event) => {
    if (priceRange(event.target)) event.stopPropagation();
  }, true);
  document.addEventListener("focusin", (event) => {
    if (priceRange(event.target)) clearTimeout(timer);
  });
  document.addEventListener("focusout", (event) => {
    const range = priceRange(event.target);
    if (!range) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!range.isConnected || range.contains(document.activeElement) || !changed(range)) return;
      const form = range.closest("form");
      if (window.htmx) window.htmx.trigger(form, "apply");
      else form.requestSubmit();
    }, PAUSE_MS);
  });
})();
