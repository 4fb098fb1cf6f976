/* Kring network map: editing on the server-drawn SVG with mouse, touch and keyboard.
 *
 * Without this script every action is a plain link to a full-page form. With it:
 *  - click or tap a person: the edit form opens in the side panel (htmx);
 *  - "Add person": click an empty place, the form opens and the person is pinned where you clicked;
 *  - "Add relation": click the first person, then the second, the relation form opens prefilled;
 *  - "Add tie to a system": click a person (or an empty place for the household);
 *  - drag a person (pointer events: mouse, pen and touch) and the position is kept;
 *  - keyboard: Tab to a person, Enter opens it, arrow keys move it (Shift: further), U undoes, Escape cancels.
 * Every change is a POST to a view that calls a service; the map is then drawn again by the server.
 */
(function () {
  "use strict";

  const root = document.getElementById("network");
  if (!root) return;
  const mapBox = document.getElementById("map");
  const panel = document.getElementById("panel");
  const statusLine = document.getElementById("map-status");
  const base = root.dataset.base;
  const kind = root.dataset.kind;
  const canEdit = root.dataset.canEdit === "true";
  const textNode = document.getElementById("network-text");
  const T = textNode ? JSON.parse(textNode.textContent) : {};
  const DRAG_THRESHOLD = 5; // screen pixels before a press becomes a drag
  const NUDGE = 10;
  const NUDGE_FAR = 50;

  let mode = null;
  let first = null;
  let drag = null;
  let suppressClick = false;
  const pendingSaves = new Map();

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  // htmx: also show a refused stale save (409) in the panel, with what changed.
  if (window.htmx) {
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "409", swap: true },
      { code: "[45]..", swap: false, error: true },
    ];
  }

  function say(message) {
    if (statusLine) statusLine.textContent = message || "";
  }

  function svgRoot() {
    return mapBox.querySelector("svg");
  }

  function viewport() {
    const svg = svgRoot();
    return (svg && svg.querySelector(".viewport")) || svg;
  }

  function members() {
    return mapBox.querySelectorAll(".member");
  }

  function setMode(next) {
    mode = next;
    if (first) first.classList.remove("picked");
    first = null;
    mapBox.dataset.activeMode = next || "";
    root.querySelectorAll("a[data-mode]").forEach((button) => {
      if (button === mapBox) return;
      button.setAttribute("aria-pressed", button.dataset.mode === next ? "true" : "false");
    });
    say(next ? T[next] : "");
  }

  function query(params) {
    const search = new URLSearchParams(params);
    search.set("map", kind);
    return search.toString();
  }

  function openPanel(url) {
    if (!window.htmx) {
      window.location.href = url;
      return;
    }
    htmx.ajax("GET", url, { target: "#panel", swap: "innerHTML" }).then(() => {
      const field = panel.querySelector("input:not([type=hidden]), select, textarea");
      (field || panel).focus();
      panel.scrollIntoView({ block: "nearest" });
    });
  }

  function closePanel() {
    panel.innerHTML = "";
  }

  // --- coordinates ------------------------------------------------------------------------------------------

  function toLocal(event, element) {
    // A screen point in the coordinates of `element` (where a member's translate(x, y) lives).
    const svg = svgRoot();
    const point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    const matrix = element.getScreenCTM();
    return matrix ? point.matrixTransform(matrix.inverse()) : point;
  }

  function position(g) {
    const match = /translate\(\s*(-?[\d.eE+-]+)[\s,]+(-?[\d.eE+-]+)\s*\)/.exec(g.getAttribute("transform") || "");
    return match ? [parseFloat(match[1]), parseFloat(match[2])] : [0, 0];
  }

  function place(g, x, y) {
    g.setAttribute("transform", `translate(${x.toFixed(1)},${y.toFixed(1)})`);
  }

  // --- saving -----------------------------------------------------------------------------------------------

  async function redraw(focusId) {
    const url = new URL(window.location.href);
    url.searchParams.set("fragment", "svg");
    url.searchParams.set("map", kind);
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return;
    mapBox.innerHTML = await response.text();
    prepare();
    if (focusId) {
      const again = mapBox.querySelector(`.member[data-id="${CSS.escape(focusId)}"]`);
      if (again) again.focus();
    }
  }

  async function saveMove(g) {
    const id = g.dataset.id;
    const [x, y] = position(g);
    const body = new URLSearchParams({ x: x.toFixed(1), y: y.toFixed(1), map: kind });
    const response = await fetch(`${base}persons/${id}/move/`, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
    });
    say(response.ok ? T.moved : T.failed);
    mapBox.dataset.saved = String(Date.now());
    await redraw(document.activeElement && document.activeElement.closest && document.activeElement.closest(".member") ? id : null);
  }

  function undo() {
    const form = document.getElementById("undo-form");
    if (form) form.requestSubmit();
  }

  // --- choosing persons -------------------------------------------------------------------------------------

  function activate(g) {
    const id = g.dataset.id;
    if (mode === "add-relation") {
      if (!first) {
        first = g;
        g.classList.add("picked");
        say(T.second);
        return;
      }
      if (first.dataset.id === id) return;
      const a = first.dataset.id;
      setMode(null);
      openPanel(`${base}relations/new/?${query({ a, b: id })}`);
      return;
    }
    if (mode === "add-tie") {
      setMode(null);
      openPanel(`${base}ties/new/?${query({ person: id })}`);
      return;
    }
    if (mode === "add-person") return;
    openPanel(`${base}persons/${id}/?${query({})}`);
  }

  function emptyPlaceClicked(event) {
    if (mode === "add-person") {
      const p = toLocal(event, viewport());
      setMode(null);
      openPanel(`${base}persons/new/?${query({ x: p.x.toFixed(1), y: p.y.toFixed(1) })}`);
    } else if (mode === "add-tie") {
      setMode(null);
      openPanel(`${base}ties/new/?${query({})}`);
    }
  }

  // --- pointer: mouse, pen and touch ------------------------------------------------------------------------

  mapBox.addEventListener("pointerdown", (event) => {
    const g = event.target.closest(".member");
    if (!g || !canEdit || event.button !== 0 || mode) return;
    const start = toLocal(event, g.parentNode);
    const [x0, y0] = position(g);
    drag = { g, start, x0, y0, sx: event.clientX, sy: event.clientY, moved: false, id: event.pointerId };
    try { g.setPointerCapture(event.pointerId); } catch (e) { /* not every element can */ }
  });

  mapBox.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    if (!drag.moved && Math.hypot(event.clientX - drag.sx, event.clientY - drag.sy) < DRAG_THRESHOLD) return;
    drag.moved = true;
    drag.g.classList.add("dragging");
    const p = toLocal(event, drag.g.parentNode);
    place(drag.g, drag.x0 + (p.x - drag.start.x), drag.y0 + (p.y - drag.start.y));
    event.preventDefault();
  });

  function endDrag(event) {
    if (!drag || event.pointerId !== drag.id) return;
    const finished = drag;
    drag = null;
    finished.g.classList.remove("dragging");
    if (finished.moved) {
      suppressClick = true;
      setTimeout(() => { suppressClick = false; }, 0);
      saveMove(finished.g);
    }
  }
  mapBox.addEventListener("pointerup", endDrag);
  mapBox.addEventListener("pointercancel", (event) => {
    if (drag && event.pointerId === drag.id) {
      place(drag.g, drag.x0, drag.y0);
      drag.g.classList.remove("dragging");
      drag = null;
    }
  });

  mapBox.addEventListener("click", (event) => {
    if (suppressClick) {
      suppressClick = false;
      return;
    }
    const g = event.target.closest(".member");
    if (g) {
      activate(g);
      return;
    }
    if (mode) {
      emptyPlaceClicked(event);
      return;
    }
    const tie = event.target.closest(".tie");
    if (tie && tie.dataset.a && tie.dataset.b) {
      openPanel(`${base}relations/?${query({ a: tie.dataset.a, b: tie.dataset.b })}`);
      return;
    }
    const system = event.target.closest(".system");
    if (system) openPanel(`${base}relations/?${query({})}`);
  });

  // --- keyboard ---------------------------------------------------------------------------------------------

  const ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  mapBox.addEventListener("keydown", (event) => {
    const g = event.target.closest && event.target.closest(".member");
    if (!g) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      activate(g);
      return;
    }
    const step = ARROWS[event.key];
    if (step && canEdit) {
      event.preventDefault();
      const distance = event.shiftKey ? NUDGE_FAR : NUDGE;
      const [x, y] = position(g);
      place(g, x + step[0] * distance, y + step[1] * distance);
      clearTimeout(pendingSaves.get(g.dataset.id));
      pendingSaves.set(g.dataset.id, setTimeout(() => saveMove(g), 400));
    }
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    const typing = target.closest && target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "Escape") {
      if (mode) {
        setMode(null);
        say(T.cancelled);
      } else if (panel.innerHTML.trim()) {
        closePanel();
      }
      return;
    }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if ((event.key === "u" || event.key === "U") && canEdit) {
      event.preventDefault();
      undo();
    }
  });

  // --- toolbar and panel ------------------------------------------------------------------------------------

  // Without this script the mode links open their own pages; with it they become toggle buttons.
  root.querySelectorAll("a[data-mode]").forEach((button) => {
    button.setAttribute("role", "button");
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("keydown", (event) => {
      if (event.key === " ") {
        event.preventDefault();
        button.click();
      }
    });
    button.addEventListener("click", (event) => {
      event.preventDefault();
      const next = button.dataset.mode;
      setMode(mode === next ? null : next);
      const firstMember = members()[0];
      if (mode && firstMember && event.detail === 0) firstMember.focus(); // opened by keyboard
    });
  });

  panel.addEventListener("click", (event) => {
    if (event.target.closest("[data-action=close-panel]")) closePanel();
  });

  // Persons listed beside the map open in the panel too.
  document.querySelectorAll("a[data-member]").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const g = mapBox.querySelector(`.member[data-id="${CSS.escape(link.dataset.member)}"]`);
      if (g && mode) activate(g);
      else openPanel(link.href);
    });
  });

  function prepare() {
    // Persons are focusable in the SVG; make sure touch drags them instead of scrolling the page.
    members().forEach((g) => {
      if (!g.hasAttribute("tabindex")) g.setAttribute("tabindex", "0");
      if (canEdit) g.style.touchAction = "none";
    });
    if (first) {
      const again = mapBox.querySelector(`.member[data-id="${CSS.escape(first.dataset.id)}"]`);
      first = again;
      if (again) again.classList.add("picked");
    }
  }

  prepare();
  root.dataset.ready = "true";
})();
