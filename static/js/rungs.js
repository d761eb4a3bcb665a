// Rungs' only script of its own. Everything works without it; it only polishes htmx use.
document.documentElement.classList.add("js");

// Send the CSRF token with every htmx request.
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers["X-CSRFToken"] = meta.content;
});

// Live updates poll only while the tab is visible, and catch up as soon as it is again.
document.addEventListener("htmx:beforeRequest", (event) => {
  if (event.detail.elt.id === "live" && document.hidden) event.preventDefault();
});
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) document.dispatchEvent(new Event("rungs:visible"));
});

// A gap can sit in a level that is not loaded on this page yet (it became the target after
// a rating): open the page with that level instead of jumping nowhere.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-level]");
  if (!link || document.getElementById(link.hash.slice(1))) return;
  event.preventDefault();
  const url = new URL(window.location.href);
  url.searchParams.set("open", link.dataset.level);
  url.hash = link.hash;
  window.location.assign(url);
});
