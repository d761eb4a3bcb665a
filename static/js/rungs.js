// Rungs' only script of its own. Everything works without it; it only polishes htmx use.
document.documentElement.classList.add("js");

// The browser's time zone, for the server to show times in until the person picks one on
// the account page. Written again only when it changes (a laptop that travelled).
(() => {
  // Zone names ("America/Argentina/Buenos_Aires") need no escaping in a cookie.
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const cookie = `rungs_tz=${zone}`;
  if (!/^[\w/+-]+$/.test(zone || "") || document.cookie.split("; ").includes(cookie)) return;
  const secure = window.location.protocol === "https:" ? "; secure" : "";
  document.cookie = `${cookie}; path=/; max-age=31536000; samesite=lax${secure}`;
})();

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

// Every rating click lands, in order, and nothing older overwrites it. A rating form
// is sent by htmx on submit; a radio's change submits it (below).
// - Each rating form queues its requests (hx-sync="this:queue all"), so none is dropped;
//   a queued request sends the radio's value when it leaves, so quick clicks coalesce.
// - A rating's answer redraws its competency only if no newer click on it is on the way.
// - The live poll runs beside the ratings; what it brings is not swapped over a competency
//   (or the badge and gaps) that the person changed after the poll left.
// - Arrow keys move through a radio group without saving each step: the choice is saved
//   once they pause. A click, Space or Enter saves at once.
const rating = {
  clicks: new Map(), // competency form -> clicks so far
  pending: new Map(), // competency form -> requests in flight
  lastClickAt: new Map(), // competency form -> global click number of its last click
  total: 0, // clicks on any competency, to date the poll against
  pollSentAfter: null, // the click number when the poll in flight left
  pollSwapping: false,
};
const SETTLE_MS = 700;

function rateForm(element) {
  return element && element.closest ? element.closest("form.rate") : null;
}

function clicked(form) {
  rating.total += 1;
  rating.clicks.set(form, (rating.clicks.get(form) || 0) + 1);
  rating.lastClickAt.set(form, rating.total);
  form.closest(".head")?.classList.remove("failed");
  form.querySelector(".save-problem")?.remove();
}

function save(form) {
  // A submit like Enter's: htmx sends it, and the submit listener below counts the click.
  // A competency the poll just redrew is not htmx's yet (it processes new content only
  // once it settles, 20 ms on): without this the browser would post the form itself and
  // reload the page. Processing twice is harmless: htmx skips what it already knows.
  htmx.process(form);
  form.requestSubmit();
}

document.addEventListener("keydown", (event) => {
  const form = rateForm(event.target);
  if (form && event.target.type === "radio" && event.key.startsWith("Arrow")) {
    form.rungsKeyboard = true;
  }
});

document.addEventListener("change", (event) => {
  const form = rateForm(event.target);
  if (!form || event.target.type !== "radio") return;
  if (form.rungsKeyboard) {
    form.rungsKeyboard = false;
    clearTimeout(form.rungsSettle);
    form.rungsSettle = setTimeout(() => save(form), SETTLE_MS);
  } else {
    save(form);
  }
});

document.addEventListener("focusout", (event) => {
  // Leaving a group whose keyboard choice has not settled yet saves it now.
  const form = rateForm(event.target);
  if (form && form.rungsSettle && !form.contains(event.relatedTarget)) save(form);
});

document.addEventListener(
  "submit",
  (event) => {
    // Enter in a group, or "Take this rating": htmx sends it; count it as a click.
    const form = rateForm(event.target);
    if (form) {
      clearTimeout(form.rungsSettle);
      form.rungsSettle = null;
      clicked(form);
    }
  },
  true,
);

document.addEventListener("htmx:configRequest", (event) => {
  const form = rateForm(event.detail.elt);
  if (form) event.detail.headers["X-Rungs-Click"] = String(rating.clicks.get(form) || 0);
});

document.addEventListener("htmx:beforeRequest", (event) => {
  const elt = event.detail.elt;
  if (elt.id === "live") rating.pollSentAfter = rating.total;
  const form = rateForm(elt);
  if (form) rating.pending.set(form, (rating.pending.get(form) || 0) + 1);
});

document.addEventListener("htmx:afterRequest", (event) => {
  const elt = event.detail.elt;
  if (elt.id === "live") rating.pollSwapping = false;
  const form = rateForm(elt);
  if (form) rating.pending.set(form, Math.max(0, (rating.pending.get(form) || 1) - 1));
});

function sentClick(detail) {
  return Number(detail.requestConfig?.headers?.["X-Rungs-Click"] || 0);
}

document.addEventListener("htmx:beforeSwap", (event) => {
  const elt = event.detail.elt;
  if (elt.id === "live") {
    rating.pollSwapping = true;
    return;
  }
  const form = rateForm(elt);
  if (!form) return;
  if (sentClick(event.detail) !== (rating.clicks.get(form) || 0)) {
    event.detail.shouldSwap = false; // a newer click on this competency is on its way
    return;
  }
  // The error itself goes to the page's alert area (HX-Retarget); the control says it too.
  if (event.detail.isError) notSaved(form, "The server did not accept this rating.");
});

document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.elt.id === "live") rating.pollSwapping = false;
});

function changedSincePoll(form) {
  // A form its own answer replaced has nothing in flight: htmx:afterRequest fires on it once
  // it has left the page, where the listener above never hears it, so its count stays up.
  const inFlight = form.isConnected && (rating.pending.get(form) || 0) > 0;
  return inFlight || (rating.lastClickAt.get(form) || 0) > rating.pollSentAfter;
}

document.addEventListener("htmx:oobBeforeSwap", (event) => {
  if (!rating.pollSwapping) return;
  const target = event.detail.target;
  if (target.id && target.id.startsWith("h-")) {
    const form = target.querySelector("form.rate");
    if (form && changedSincePoll(form)) event.detail.shouldSwap = false;
  } else if (["badge", "gaps-body", "plan"].includes(target.id) || target.id?.startsWith("cat-")) {
    const recent = [...rating.lastClickAt.keys()].some((form) => changedSincePoll(form));
    if (recent) event.detail.shouldSwap = false; // the rating's own answer is fresher
  }
});

function notSaved(form, why) {
  const head = form.closest(".head");
  head?.classList.add("failed");
  if (form.querySelector(".save-problem")) return;
  const problem = document.createElement("p");
  problem.className = "save-problem error";
  problem.setAttribute("role", "alert");
  problem.textContent = `Not saved. ${why} `;
  const retry = document.createElement("button");
  retry.type = "button";
  retry.className = "small";
  retry.textContent = "Try again";
  retry.addEventListener("click", () => save(form));
  problem.append(retry);
  form.append(problem);
}

document.addEventListener("htmx:sendError", (event) => {
  const form = rateForm(event.detail.elt);
  if (form && sentClick(event.detail) === (rating.clicks.get(form) || 0)) {
    notSaved(form, "The connection was lost.");
  }
});

// A copy button beside a read-only link (the invitation on the people page): shown only
// where the clipboard can be written, and says in the live region under it what happened.
// Without it, the link stays in a text box to select and copy by hand.
for (const button of document.querySelectorAll("button[data-copy]")) {
  if (!navigator.clipboard) continue;
  const box = document.getElementById(button.dataset.copy);
  const status = document.getElementById(`${button.dataset.copy}-status`);
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(box.value);
      status.textContent = "Copied";
    } catch {
      box.select();
      status.textContent = "Could not copy: the link is selected, copy it with your keys.";
    }
  });
}

// Shared 1:1 notes: both people type, nobody's words are lost. The server merges each save
// into the notes from the revision it was typed on (app/oneonone/notes.py); this script
// sends one save at a time, a moment after typing stops (and every few seconds during
// long typing), and never replaces what the person typed after a save left:
// - The answer's merged text goes into the box only if the box still holds what was sent.
// - Otherwise the box is kept, and the next save says what the last one sent ("origin"),
//   so the server carries the newer typing over onto the merged revision.
// - A newer revision from the live poll goes into an untouched box at once; into a box
//   with unsaved typing by saving now, which merges both.
const NOTES_IDLE_MS = 800;
const NOTES_MAX_WAIT_MS = 3000;
const NOTES_RETRY_MS = 3000;

function keepCaret(box, text) {
  // Put the caret back where it was relative to the text around it.
  const old = box.value;
  const focused = document.activeElement === box;
  const [start, end] = [box.selectionStart, box.selectionEnd];
  let prefix = 0;
  while (prefix < old.length && prefix < text.length && old[prefix] === text[prefix]) prefix += 1;
  let suffix = 0;
  while (
    suffix < old.length - prefix &&
    suffix < text.length - prefix &&
    old[old.length - 1 - suffix] === text[text.length - 1 - suffix]
  ) {
    suffix += 1;
  }
  const moved = (at) => (at <= prefix ? at : at >= old.length - suffix ? at + text.length - old.length : prefix);
  const top = box.scrollTop;
  box.value = text;
  box.scrollTop = top;
  if (focused) box.setSelectionRange(moved(start), moved(end));
}

function sharedNotes(form) {
  const box = form.querySelector("textarea[name=notes]");
  const version = () => form.querySelector("input[name=version]");
  const state = {
    revision: Number(version().value),
    text: box.value, // the text of that revision, as this page has it
    origin: null, // what the last save sent, when the box moved on meanwhile
    inflight: false,
    again: false,
    idle: null,
    maxWait: null,
  };

  function schedule(delay = NOTES_IDLE_MS) {
    clearTimeout(state.idle);
    state.idle = setTimeout(send, delay);
    if (!state.maxWait) state.maxWait = setTimeout(send, NOTES_MAX_WAIT_MS);
  }

  function adopt(revision, text, sent) {
    state.revision = revision;
    version().value = String(revision);
    if (box.value === sent) {
      if (box.value !== text) keepCaret(box, text);
      state.text = text;
      state.origin = null;
    } else {
      state.text = text;
      state.origin = sent;
      state.again = true;
    }
  }

  async function send() {
    clearTimeout(state.idle);
    clearTimeout(state.maxWait);
    state.idle = state.maxWait = null;
    if (state.inflight) {
      state.again = true;
      return;
    }
    const sent = box.value;
    if (sent === state.text && state.origin === null) return;
    state.inflight = true;
    const body = new URLSearchParams(new FormData(form));
    body.set("notes", sent);
    body.set("version", String(state.revision));
    if (state.origin !== null) body.set("origin", state.origin);
    const meta = document.querySelector('meta[name="csrf-token"]');
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body,
        headers: { "HX-Request": "true", "X-CSRFToken": meta ? meta.content : "" },
        credentials: "same-origin",
      });
      const redirect = response.headers.get("HX-Redirect");
      if (redirect) {
        window.location.assign(redirect);
        return;
      }
      const answer = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const id of ["notes-status", "notes-conflict"]) {
        const fresh = answer.getElementById(id);
        const old = document.getElementById(id);
        if (fresh && old) {
          fresh.removeAttribute("hx-swap-oob");
          old.replaceWith(fresh);
        }
      }
      const merged = answer.getElementById("notes-merged");
      if (response.ok && merged) adopt(Number(merged.dataset.revision), merged.dataset.text, sent);
    } catch {
      const status = document.getElementById("notes-status");
      if (status) status.textContent = "Not saved yet: the connection was lost. Trying again…";
      setTimeout(() => schedule(0), NOTES_RETRY_MS);
    } finally {
      state.inflight = false;
      if (state.again) {
        state.again = false;
        schedule(0);
      }
    }
  }

  function remote() {
    // The live poll brought the notes as someone else saved them.
    if (!form.isConnected) return;
    const live = document.getElementById("notes-live");
    if (!live || !live.hasAttribute("data-text")) return;
    const revision = Number(live.dataset.revision);
    if (revision <= state.revision) return;
    if (!state.inflight && state.origin === null && box.value === state.text) {
      keepCaret(box, live.dataset.text);
      state.text = live.dataset.text;
      state.revision = revision;
      version().value = String(revision);
    } else if (state.inflight) {
      state.again = true;
    } else {
      schedule(0);
    }
  }

  box.addEventListener("input", () => schedule());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
  });
  document.addEventListener("htmx:oobAfterSwap", remote);
  document.addEventListener("htmx:afterSettle", remote);
  window.addEventListener("beforeunload", (event) => {
    if (!form.isConnected) return;
    if (state.inflight || box.value !== state.text || state.origin !== null) {
      send();
      event.preventDefault();
    }
  });
}

// On the page, and when the rubric page's panel arrives live (a 1:1 started elsewhere).
function startNotes(root) {
  for (const form of root.querySelectorAll("form[data-notes]")) {
    if (form.rungsNotes) continue;
    form.rungsNotes = true;
    sharedNotes(form);
  }
}
startNotes(document);
document.addEventListener("htmx:load", (event) => startNotes(event.detail.elt));
