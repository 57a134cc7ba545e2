/* The grid worker's phone: category picker, pin on the grid map, photos downsized in the
 * browser, upload with progress, and an outbox in IndexedDB for when there is no signal.
 * Without this script the form still works (plain <select>, original photos, location from
 * the first photo's GPS). Strings come translated from the server in data-config. */
(function () {
  "use strict";

  var holder = document.querySelector("[data-config]");
  if (!holder) return;
  var CFG = JSON.parse(holder.getAttribute("data-config"));
  var S = CFG.strings;
  var form = document.getElementById("report-form");

  function $(id) { return document.getElementById(id); }
  function fmt(text, vars) {
    return text.replace(/%\((\w+)\)[sd]/g, function (_, k) { return String(vars[k]); });
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "className") node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    var field = form && form.querySelector('input[name="csrf_token"]');
    return (meta && meta.content) || (field && field.value) || "";
  }
  function notice(text, kind) {
    var box = $("notice");
    if (!box) return;
    box.textContent = text || "";
    box.className = "notice" + (kind ? " notice-" + kind : "");
    box.hidden = !text;
  }

  /* ------------------------------------------------------------ outbox (IndexedDB) */
  var DB_NAME = "dispatch-worker", STORE = "outbox";

  function openDb() {
    return new Promise(function (resolve, reject) {
      if (!window.indexedDB) { reject(new Error("no IndexedDB")); return; }
      var req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "key" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), out;
        var req = work(t.objectStore(STORE));
        if (req) req.onsuccess = function () { out = req.result; };
        t.oncomplete = function () { db.close(); resolve(out); };
        t.onerror = t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }
  var outbox = {
    put: function (item) { return tx("readwrite", function (s) { return s.put(item); }); },
    remove: function (key) { return tx("readwrite", function (s) { return s.delete(key); }); },
    mine: function () {
      return tx("readonly", function (s) { return s.getAll(); }).then(function (all) {
        return (all || []).filter(function (i) { return i.userId === CFG.userId; })
          .sort(function (a, b) { return a.savedAt - b.savedAt; });
      });
    }
  };

  /* ------------------------------------------------------------------- sending */
  // Resolves {kind: "ok"|"retry"|"refused"|"auth", body, status}; never rejects.
  //   ok: filed (201) or filed before with this key (200);
  //   retry: no answer, or the server failed (5xx, 408, 429): the same report later;
  //   refused: the server read the report and will never take it as it is (any other 4xx):
  //            the worker fixes or deletes it, it is not sent again by itself;
  //   auth: signed out, or the page's CSRF token is stale: every report would fail alike.
  function send(item, onProgress) {
    return new Promise(function (resolve) {
      var data = new FormData();
      data.append("csrf_token", csrfToken());
      data.append("idempotency_key", item.key);
      ["category", "description", "lat", "lng"].forEach(function (k) {
        data.append(k, item.fields[k] == null ? "" : item.fields[k]);
      });
      item.photos.forEach(function (p, i) {
        data.append("photos", new Blob([p.data], { type: p.type }), "photo" + (i + 1) + ".jpg");
      });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", CFG.submitUrl);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.timeout = 180000;
      if (onProgress && xhr.upload) {
        xhr.upload.onprogress = function (e) { if (e.lengthComputable) onProgress(e.loaded / e.total); };
      }
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () { resolve({ kind: "retry", status: 0 }); };
      xhr.onload = function () {
        var body = null;
        if ((xhr.getResponseHeader("Content-Type") || "").indexOf("application/json") >= 0) {
          try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        }
        var status = xhr.status;
        if ((status === 200 || status === 201) && body && body.number) resolve({ kind: "ok", body: body });
        else if (status === 0 || status === 408 || status === 429 || status >= 500) resolve({ kind: "retry", status: status });
        else if (status === 401 || status === 403 || (status === 400 && !body) || status < 400) resolve({ kind: "auth" });
        else resolve({ kind: "refused", body: body || { message: S.failed }, status: status });
      };
      xhr.send(data);
    });
  }

  function resultCard(body, fromOutbox) {
    var rows = [el("dt", { text: S.number }), el("dd", { className: "number", text: body.number })];
    if (body.board) {
      rows.push(el("dt", { text: S.board }), el("dd", { text: body.board_name }),
        el("dt", { text: S.department }), el("dd", { text: body.department_name || "—" }));
    } else {
      rows.push(el("dt", { text: S.board }), el("dd", { text: S.routing }));
    }
    var actions = el("div", { className: "row" }, [
      el("a", { className: "button primary", href: body.url, text: S.open })]);
    if (!fromOutbox && form) {
      var again = el("button", { type: "button", text: S.another });
      again.addEventListener("click", function () {
        $("result").hidden = true;
        form.hidden = false;
        var search = $("cat-search");
        (search || $("f-category")).focus();
      });
      actions.appendChild(again);
    }
    return [el("h2", { text: fromOutbox ? S.sentPending : S.submitted }),
      el("dl", { className: "facts" }, rows), actions];
  }
  function showResult(body, fromOutbox) {
    var box = $("result");
    if (!box) {  // the list page has no result area: say it in the notice
      notice(S.sentPending + " " + body.number, "ok");
      return;
    }
    box.textContent = "";
    resultCard(body, fromOutbox).forEach(function (n) { box.appendChild(n); });
    box.hidden = false;
    form.hidden = !fromOutbox; // a report sent from the phone's store leaves the form open
    if (!fromOutbox) box.focus();
  }

  /* --- the outbox: each report on its own, refused ones shown, failed ones retried later */
  var RETRY_FIRST = 15000, RETRY_MOST = 600000;
  function retryDelay(attempts) { // 15 s, 30 s, 1 min, ... at most 10 min, spread a little
    var base = Math.min(RETRY_MOST, RETRY_FIRST * Math.pow(2, Math.max(0, attempts - 1)));
    return Math.round(base * (1 + Math.random() * 0.2));
  }
  function refusal(item) { // older phones kept only the message, as a string
    if (item.refused) return item.refused;
    return item.rejected ? { message: String(item.rejected), errors: {} } : null;
  }
  function refusalText(body) {
    var texts = [], seen = {};
    function add(t) { if (t && !seen[t]) { seen[t] = true; texts.push(t); } }
    add(body.message);
    var errors = body.errors || {};
    Object.keys(errors).forEach(function (field) {
      var label = (S.fields || {})[field];
      (errors[field] || []).forEach(function (t) { if (!seen[t]) add(label ? label + "：" + t : t); });
    });
    return texts.join(" ");
  }
  var CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

  var flushing = false;
  var fixingKey = function () { return null; }; // the form's, once it is built
  function updatePending() {
    return outbox.mine().then(function (items) {
      var waiting = items.filter(function (i) { return !refusal(i); });
      renderRefused(items.filter(function (i) { return refusal(i) && i.key !== fixingKey(); }));
      var box = $("pending");
      if (!box) return;
      var text = fmt(S.pending, { n: waiting.length });
      if (waiting.some(function (i) { return i.attempts; })) text += " " + S.retrying;
      $("pending-text").textContent = text;
      box.hidden = waiting.length === 0;
    }).catch(function () { /* no IndexedDB: nothing can be waiting */ });
  }
  function renderRefused(items) {
    var box = $("refused");
    if (!box) return;
    box.textContent = "";
    box.hidden = !items.length;
    if (!items.length) return;
    box.appendChild(el("h2", { text: fmt(S.refusedTitle, { n: items.length }) }));
    box.appendChild(el("p", { className: "muted", text: S.refusedHelp }));
    var list = el("ul", { className: "refused-list" });
    items.forEach(function (item) {
      var cat = (CFG.categories || []).filter(function (c) { return c.code === item.fields.category; })[0];
      var fix = el("button", { type: "button", className: "primary small", text: S.fix });
      fix.addEventListener("click", function () { fixReport(item); });
      var drop = el("button", { type: "button", className: "small danger", text: S.deleteReport });
      drop.addEventListener("click", function () {
        if (!window.confirm(S.confirmDelete)) return;
        outbox.remove(item.key).then(updatePending);
      });
      list.appendChild(el("li", { className: "refused-item", "data-key": item.key }, [
        el("p", { className: "refused-what" }, [
          el("strong", { text: cat ? cat.name : item.fields.category }), " ",
          el("span", { className: "muted", text: new Date(item.savedAt).toLocaleString(document.documentElement.lang || undefined,
            { month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit" }) })]),
        el("p", { className: "refused-desc", text: (item.fields.description || "").replace(CONTROL, "") }),
        el("p", { className: "refused-why", role: "alert", text: refusalText(refusal(item)) }),
        el("div", { className: "row" }, [fix, drop])]));
    });
    box.appendChild(list);
  }
  function fixReport(item) {
    if (!form) { // the list page has no form: open the form with this report in it
      window.location.href = CFG.formUrl + "#fix=" + encodeURIComponent(item.key);
      return;
    }
    restoreIntoForm(item, refusal(item));
  }
  function flush(force) {
    if (flushing || navigator.onLine === false) return Promise.resolve();
    flushing = true;
    var signedOut = false;
    return outbox.mine().then(function (items) {
      var now = Date.now();
      var due = items.filter(function (i) { return !refusal(i) && (force || !(i.nextTryAt > now)); });
      // one after the other, each on its own: a report that fails never holds up the next one
      return due.reduce(function (chain, item) {
        return chain.then(function () {
          if (signedOut) return null;
          return send(item).then(function (r) {
            if (r.kind === "ok") {
              return outbox.remove(item.key).then(function () { showResult(r.body, true); });
            }
            if (r.kind === "refused") {
              item.refused = { message: r.body.message || S.failed, errors: r.body.errors || {},
                codes: r.body.error_codes || {}, status: r.status };
              delete item.rejected;
              return outbox.put(item);
            }
            if (r.kind === "auth") { signedOut = true; notice(S.signIn, "warn"); return null; }
            item.attempts = (item.attempts || 0) + 1; // no signal or the server failed: later
            item.nextTryAt = Date.now() + retryDelay(item.attempts);
            return outbox.put(item);
          }).catch(function () { /* this one's store failed: the others still go */ });
        });
      }, Promise.resolve());
    }).catch(function () { /* try again on the next tick */ }).then(function () {
      flushing = false;
      var box = $("notice");
      if (box && box.textContent === S.savedOffline) notice("", ""); // it is sent or listed now
      return updatePending();
    });
  }

  function startOutbox() {
    var now = $("send-now");
    if (now) now.addEventListener("click", function () { flush(true); });
    window.addEventListener("online", function () { flush(true); });
    setInterval(flush, 30000);
    updatePending().then(function () { return flush(true); });
  }

  if (!form) {  // "My reports": only the outbox runs here
    startOutbox();
    return;
  }

  /* ------------------------------------------------------------------ the form */
  var keyInput = $("f-key"), select = $("f-category"), description = $("f-description");
  var latInput = $("f-lat"), lngInput = $("f-lng"), submitButton = $("submit");
  var photos = []; // {id, blob, gps, url, ready}
  var pin = null;  // {lat, lng, source: "geo"|"manual"}
  var geoFailed = false;
  var setMarker = function () {}, showGrid = function () {};
  var recentKey = "dispatch.recentCategories." + CFG.userId;

  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll(".field-error.js"), function (n) { n.remove(); });
  }
  function showErrors(body, lead) {
    clearErrors();
    var errors = (body && body.errors) || {};
    var anchors = { category: "category-block", description: "f-description", location: "location-block",
      photos: "thumbs" };
    var texts = [lead, body && body.message];
    Object.keys(errors).forEach(function (field) {
      var anchor = $(anchors[field] || "submit");
      (errors[field] || []).forEach(function (text) {
        texts.push(text);
        var p = el("p", { className: "field-error js", text: text });
        if (anchor && anchor.parentNode) anchor.parentNode.insertBefore(p, anchor.nextSibling);
      });
    });
    var shown = texts.filter(function (t, i) { return t && texts.indexOf(t) === i; });
    notice(shown.join(" "), shown.length > 1 || !lead ? "error" : "warn");
  }

  /* --- category picker */
  var CATS = CFG.categories, byCode = {};
  CATS.forEach(function (c) { byCode[c.code] = c; });
  var activeBoard = null;

  function recent() {
    try { return JSON.parse(localStorage.getItem(recentKey) || "[]").filter(function (c) { return byCode[c]; }); }
    catch (e) { return []; }
  }
  function remember(code) {
    try {
      var list = [code].concat(recent().filter(function (c) { return c !== code; })).slice(0, 5);
      localStorage.setItem(recentKey, JSON.stringify(list));
    } catch (e) { /* private mode: no memory of recent categories */ }
  }
  function chip(c, withBoard) {
    var label = [el("span", { className: "chip-name", text: c.name }), " ",
      el("span", { className: "chip-code", text: c.code })];
    if (withBoard) {
      var board = CFG.boards.filter(function (b) { return b.code === c.board; })[0];
      label.push(" ", el("span", { className: "chip-board", text: board ? board.name : S.other }));
    }
    var b = el("button", { type: "button", className: "chip", "data-code": c.code,
      "aria-pressed": String(select.value === c.code) }, label);
    b.addEventListener("click", function () { choose(c.code, true); });
    return b;
  }
  /* The server sends each category's keys (dispatch/core/search.py): initials, full pinyin from
     every syllable start, and the synonyms with their pinyin; the query is normalised the same
     way (lower case, no spaces or apostrophes), so "Jing Gai" finds 井盖 like "jinggai". */
  function normalise(text) { return text.replace(/[\s'\u2019\-\u00b7\u30fb_\/]+/g, "").toLowerCase(); }
  function startsWith(key, q) { return key.indexOf(q) === 0; }
  function score(c, q) {
    var pinyin = c.pinyin || [], words = c.words || [];
    if (c.code === q || c.initials === q || c.zh === q || pinyin[0] === q) return 0;
    if (words.indexOf(q) >= 0) return 1;
    if (startsWith(c.initials, q) || startsWith(c.code, q) || startsWith(pinyin[0] || "", q)) return 2;
    if (c.zh.indexOf(q) >= 0 || c.initials.indexOf(q) >= 0 ||
        pinyin.some(function (k) { return startsWith(k, q); })) return 3;
    var chinese = /[^\x00-\x7f]/.test(q);  /* a Chinese word may sit inside a synonym: 井盖丢失 */
    if (words.some(function (k) { return startsWith(k, q) || (chinese && k.indexOf(q) >= 0); })) return 4;
    if (c.en && normalise(c.en).indexOf(q) >= 0) return 5;
    return -1;
  }
  function matches(text) {
    var q = normalise(text);
    var scored = [];
    if (!q) return scored;
    CATS.forEach(function (c) {
      var s = score(c, q);
      if (s >= 0) scored.push([s, c]);
    });
    scored.sort(function (a, b) { return a[0] - b[0] || (a[1].code < b[1].code ? -1 : 1); });
    return scored.map(function (s) { return s[1]; });
  }
  function renderList() {
    var list = $("cat-list"), query = $("cat-search").value;
    list.textContent = "";
    if (query.trim()) {
      var found = matches(query);
      if (!found.length) list.appendChild(el("p", { className: "muted", text: S.noMatch }));
      else list.appendChild(el("div", { className: "chips" }, found.map(function (c) { return chip(c, true); })));
      return;
    }
    var groups = [], seen = {};
    CATS.forEach(function (c) {
      if (c.board !== activeBoard && c.board !== "other") return;
      var name = c.board === "other" ? S.other : c.majorName;
      if (!seen[name]) { seen[name] = { name: name, items: [] }; groups.push(seen[name]); }
      seen[name].items.push(c);
    });
    groups.forEach(function (g) {
      list.appendChild(el("h3", { className: "major", text: g.name }));
      list.appendChild(el("div", { className: "chips" }, g.items.map(function (c) { return chip(c, false); })));
    });
  }
  function renderRecent() {
    var codes = recent(), box = $("cat-recent");
    box.textContent = "";
    box.hidden = !codes.length;
    if (!codes.length) return;
    box.appendChild(el("h3", { className: "major", text: S.recent }));
    box.appendChild(el("div", { className: "chips" }, codes.map(function (code) { return chip(byCode[code], false); })));
  }
  function renderBoards() {
    Array.prototype.forEach.call($("cat-boards").children, function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-board") === activeBoard));
    });
  }
  function expandPicker(open) {
    $("cat-browse").hidden = !open;
    $("cat-chosen").hidden = open || !select.value;
  }
  function choose(code, focusNext) {
    select.value = code || "";
    var c = byCode[code];
    if (c) {
      if (c.board !== "other") activeBoard = c.board;
      $("cat-chosen-name").textContent = c.name + " " + c.code;
      $("cat-search").value = "";
      expandPicker(false);
      if (focusNext) description.focus();
    } else {
      expandPicker(true);
    }
    renderBoards();
    renderRecent();
    renderList();
  }
  function buildPicker() {
    var picker = $("picker");
    var chosen = el("div", { className: "chosen", id: "cat-chosen", hidden: "" }, [
      el("span", { text: S.chosen + " " }), el("strong", { id: "cat-chosen-name" }), " "]);
    var change = el("button", { type: "button", className: "small", id: "cat-change", text: S.change });
    change.addEventListener("click", function () { expandPicker(true); $("cat-search").focus(); });
    chosen.appendChild(change);
    var search = el("input", { type: "search", id: "cat-search", autocomplete: "off",
      autocapitalize: "none", spellcheck: "false", enterkeyhint: "search" });
    search.addEventListener("input", renderList);
    search.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") return;
      e.preventDefault(); // Enter in the search box picks the first match rather than submitting
      var first = $("cat-list").querySelector(".chip");
      if (first && search.value.trim()) first.click();
    });
    var boards = el("div", { className: "boards", id: "cat-boards", role: "group", "aria-label": S.board },
      CFG.boards.map(function (b) {
        var button = el("button", { type: "button", "data-board": b.code, text: b.name });
        button.addEventListener("click", function () {
          activeBoard = b.code;
          search.value = "";
          renderBoards();
          renderList();
        });
        return button;
      }));
    var browse = el("div", { id: "cat-browse", className: "browse" }, [
      el("label", { className: "field", for: "cat-search" }, [el("span", { text: S.search }), search]),
      el("div", { id: "cat-recent", className: "recent", hidden: "" }),
      boards,
      el("div", { id: "cat-list", className: "cat-list", "aria-live": "polite" })]);
    picker.appendChild(chosen);
    picker.appendChild(browse);
    var first = recent()[0];
    activeBoard = (byCode[select.value] && byCode[select.value].board !== "other" && byCode[select.value].board) ||
      (first && byCode[first].board !== "other" && byCode[first].board) || (CFG.boards[0] && CFG.boards[0].code);
    $("category-select-wrap").hidden = true;
    select.required = false;
    picker.hidden = false;
    choose(select.value, false);
  }

  /* --- EXIF GPS: read it from the original, write it into the downsized copy */
  function readGps(file) {
    return file.slice(0, 256 * 1024).arrayBuffer().then(function (buffer) {
      try { return parseGps(new DataView(buffer)); } catch (e) { return null; }
    }, function () { return null; });
  }
  function parseGps(view) {
    if (view.getUint16(0) !== 0xffd8) return null;
    var offset = 2;
    while (offset + 4 <= view.byteLength) {
      var marker = view.getUint16(offset);
      if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null;
      var size = view.getUint16(offset + 2);
      if (marker === 0xffe1 && view.getUint32(offset + 4) === 0x45786966) return tiffGps(view, offset + 10);
      offset += 2 + size;
    }
    return null;
  }
  function tiffGps(view, tiff) {
    var little = view.getUint16(tiff) === 0x4949;
    var u16 = function (o) { return view.getUint16(tiff + o, little); };
    var u32 = function (o) { return view.getUint32(tiff + o, little); };
    function entries(ifd) {
      var out = {}, n = u16(ifd);
      for (var i = 0; i < n; i++) {
        var e = ifd + 2 + i * 12;
        out[u16(e)] = { type: u16(e + 2), count: u32(e + 4), at: e + 8 };
      }
      return out;
    }
    var gpsTag = entries(u32(4))[0x8825];
    if (!gpsTag) return null;
    var gps = entries(u32(gpsTag.at));
    function ref(tag) { return gps[tag] ? String.fromCharCode(view.getUint8(tiff + gps[tag].at)) : ""; }
    function degrees(tag) {
      var t = gps[tag];
      if (!t || t.type !== 5 || t.count < 1 || t.count > 3) return NaN;
      var base = u32(t.at), value = 0;
      for (var i = 0; i < t.count; i++) value += u32(base + i * 8) / u32(base + i * 8 + 4) / Math.pow(60, i);
      return value;
    }
    var lat = degrees(2), lng = degrees(4);
    if (!isFinite(lat) || !isFinite(lng) || lat > 90 || lng > 180 || (lat === 0 && lng === 0)) return null;
    if (ref(1) === "S") lat = -lat;
    if (ref(3) === "W") lng = -lng;
    return { lat: lat, lng: lng };
  }
  // A minimal EXIF block holding only GPS (degrees, minutes, seconds as rationals).
  function gpsSegment(lat, lng) {
    var tiff = new DataView(new ArrayBuffer(128));
    tiff.setUint16(0, 0x4949); tiff.setUint16(2, 42, true); tiff.setUint32(4, 8, true);
    tiff.setUint16(8, 1, true);                                   // IFD0: one entry
    tiff.setUint16(10, 0x8825, true); tiff.setUint16(12, 4, true); tiff.setUint32(14, 1, true);
    tiff.setUint32(18, 26, true); tiff.setUint32(22, 0, true);    // → GPS IFD at 26
    tiff.setUint16(26, 4, true);
    function entry(i, tag, type, count, value) {
      var at = 28 + i * 12;
      tiff.setUint16(at, tag, true); tiff.setUint16(at + 2, type, true); tiff.setUint32(at + 4, count, true);
      if (type === 2) { tiff.setUint8(at + 8, value.charCodeAt(0)); tiff.setUint8(at + 9, 0); }
      else tiff.setUint32(at + 8, value, true);
    }
    function dms(at, value) {
      var v = Math.abs(value), d = Math.floor(v), m = Math.floor((v - d) * 60);
      var s = Math.round(((v - d) * 60 - m) * 60 * 10000);
      [[d, 1], [m, 1], [s, 10000]].forEach(function (r, i) {
        tiff.setUint32(at + i * 8, r[0], true); tiff.setUint32(at + i * 8 + 4, r[1], true);
      });
    }
    entry(0, 1, 2, 2, lat < 0 ? "S" : "N"); entry(1, 2, 5, 3, 80);
    entry(2, 3, 2, 2, lng < 0 ? "W" : "E"); entry(3, 4, 5, 3, 104);
    tiff.setUint32(76, 0, true);
    dms(80, lat); dms(104, lng);
    var head = new DataView(new ArrayBuffer(10));
    head.setUint16(0, 0xffe1); head.setUint16(2, 2 + 6 + 128);
    [0x45, 0x78, 0x69, 0x66, 0, 0].forEach(function (b, i) { head.setUint8(4 + i, b); });
    return [head.buffer, tiff.buffer];
  }
  function withGps(blob, gps) {
    return new Blob([blob.slice(0, 2)].concat(gpsSegment(gps.lat, gps.lng), [blob.slice(2)]),
      { type: "image/jpeg" });
  }

  /* --- photos */
  function decode(file) {
    var fallback = function () {
      return new Promise(function (resolve, reject) {
        var img = new Image(), url = URL.createObjectURL(file);
        img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
        img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
        img.src = url;
      });
    };
    if (!window.createImageBitmap) return fallback();
    return createImageBitmap(file, { imageOrientation: "from-image" }).catch(fallback);
  }
  function downsize(file) {
    return decode(file).then(function (src) {
      var w = src.naturalWidth || src.width, h = src.naturalHeight || src.height;
      var scale = Math.min(1, CFG.maxPixels / Math.max(w, h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(w * scale));
      canvas.height = Math.max(1, Math.round(h * scale));
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(src, 0, 0, canvas.width, canvas.height);
      if (src.close) src.close();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (b) { if (b) resolve(b); else reject(new Error("encode")); }, "image/jpeg", CFG.quality);
      });
    });
  }
  function renderThumbs() {
    var list = $("thumbs");
    list.textContent = "";
    photos.forEach(function (p, i) {
      var item = el("li", { className: p.url ? "" : "busy" });
      if (p.url) item.appendChild(el("img", { src: p.url, alt: S.photo + " " + (i + 1) }));
      else item.appendChild(el("span", { className: "spinner", text: "…", "aria-label": S.preparing }));
      var remove = el("button", { type: "button", className: "remove", "aria-label": S.remove + " " + (i + 1), text: "×" });
      remove.addEventListener("click", function () {
        photos = photos.filter(function (q) { return q !== p; });
        if (p.url) URL.revokeObjectURL(p.url);
        renderThumbs();
        updateLocationText();
        $("f-photos").focus();
      });
      item.appendChild(remove);
      list.appendChild(item);
    });
  }
  function addFiles(files) {
    files.forEach(function (file) {
      if (photos.length >= CFG.maxPhotos) { notice(S.tooMany, "warn"); return; }
      var entry = { id: uuid4(), blob: null, gps: null, url: null };
      entry.ready = Promise.all([downsize(file), readGps(file)]).then(function (out) {
        entry.blob = out[0];
        entry.gps = out[1];
        entry.url = URL.createObjectURL(out[0]);
        renderThumbs();
        updateLocationText();
      }).catch(function () {
        photos = photos.filter(function (q) { return q !== entry; });
        renderThumbs();
        notice(S.photoFailed + " " + file.name, "error");
      });
      photos.push(entry);
    });
    renderThumbs();
  }
  function photoGps() {
    for (var i = 0; i < photos.length; i++) if (photos[i].gps) return photos[i].gps;
    return null;
  }

  /* --- location */
  function setPin(lat, lng, source) {
    pin = { lat: lat, lng: lng, source: source };
    latInput.value = lat.toFixed(6);
    lngInput.value = lng.toFixed(6);
    setMarker(lat, lng, true);
    updateLocationText();
  }
  function setStatus(main, hint) {
    var status = $("loc-status");
    status.textContent = "";
    if (main) status.appendChild(el("strong", { className: "loc-main", text: main }));
    if (hint) status.appendChild(el("span", { className: "loc-hint", text: hint }));
  }
  function updateLocationText() {
    if (pin) { setStatus(showGrid(pin.lat, pin.lng), S.pinHint); return; }
    var gps = photoGps();
    if (gps) {
      setMarker(gps.lat, gps.lng, false);
      setStatus(showGrid(gps.lat, gps.lng), S.fromPhoto);
    } else {
      setStatus(geoFailed ? S.noGps : "", S.noPin);
    }
  }
  function locate() {
    geoFailed = !navigator.geolocation;
    if (geoFailed) { updateLocationText(); return; }
    $("loc-status").textContent = S.locating;
    navigator.geolocation.getCurrentPosition(function (pos) {
      if (pin && pin.source === "manual") return; // the worker's own correction wins
      setPin(pos.coords.latitude, pos.coords.longitude, "geo");
    }, function () {
      geoFailed = true;
      if (!pin) updateLocationText();
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }
  function insideRing(lng, lat, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > lat) !== (yj > lat) && lng < (xj - xi) * (lat - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function insidePolygon(lng, lat, rings) {
    if (!insideRing(lng, lat, rings[0])) return false;
    for (var k = 1; k < rings.length; k++) if (insideRing(lng, lat, rings[k])) return false;
    return true;
  }
  function buildMap() {
    var mapEl = $("map");
    $("loc-actions").hidden = false;
    $("locate").addEventListener("click", function () {
      pin = null;
      latInput.value = lngInput.value = "";
      locate();
    });
    if (!window.L) { locate(); return; }
    mapEl.hidden = false;
    var map = L.map(mapEl, { attributionControl: !!CFG.tileUrl }).setView([29.577, 106.53], 16);
    if (CFG.tileUrl) L.tileLayer(CFG.tileUrl, { maxZoom: 19 }).addTo(map);
    var features = [], marker = null, fitted = false;
    setMarker = function (lat, lng, isPin) {
      if (!marker) {
        marker = L.marker([lat, lng], { draggable: true, keyboard: true, autoPan: true }).addTo(map);
        marker.on("dragend", function () {
          var p = marker.getLatLng();
          setPin(p.lat, p.lng, "manual");
        });
      } else {
        marker.setLatLng([lat, lng]);
      }
      marker.setOpacity(isPin ? 1 : 0.6);
      map.setView([lat, lng], Math.max(map.getZoom(), 17));
      fitted = true;
    };
    showGrid = function (lat, lng) {
      if (!features.length) return "";
      for (var i = 0; i < features.length; i++) {
        var g = features[i].geometry;
        var polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
        for (var k = 0; k < polys.length; k++) {
          if (insidePolygon(lng, lat, polys[k])) return fmt(S.inGrid, { name: features[i].properties.name_zh });
        }
      }
      return S.outside;
    };
    map.on("click", function (e) { setPin(e.latlng.lat, e.latlng.lng, "manual"); });
    fetch(CFG.gridsUrl, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (data) {
      features = (data.features || []).slice().sort(function (a, b) {
        return a.properties.code < b.properties.code ? -1 : 1; // lowest code wins on a shared edge
      });
      var layer = L.geoJSON(data, { style: { color: "#1f5fbf", weight: 1, fillOpacity: 0.06 },
        interactive: false }).addTo(map);
      if (!fitted && layer.getBounds().isValid()) map.fitBounds(layer.getBounds());
      updateLocationText();
    }).catch(function () { notice(S.mapFailed, "warn"); });
    if (latInput.value && lngInput.value && isFinite(+latInput.value) && isFinite(+lngInput.value)) {
      setPin(+latInput.value, +lngInput.value, "manual"); // a form shown again keeps its pin
    } else {
      locate();
    }
  }

  /* --- submit */
  function resetForm() {
    keyInput.value = uuid4();
    description.value = "";
    photos.forEach(function (p) { if (p.url) URL.revokeObjectURL(p.url); });
    photos = [];
    renderThumbs();
    choose("", false);
    clearErrors();
    $("progress-wrap").hidden = true;
    updateLocationText();
  }
  function buildItem() {
    return Promise.all(photos.map(function (p) { return p.ready; })).then(function () {
      var gps = pin ? null : photoGps(), gpsUsed = false;
      return Promise.all(photos.filter(function (p) { return p.blob; }).map(function (p) {
        // without a pin the server takes the place from the first photo carrying GPS; the
        // downsized copy lost its EXIF, so that photo gets a GPS-only EXIF block back
        var blob = p.blob;
        if (gps && p.gps && !gpsUsed) { gpsUsed = true; blob = withGps(p.blob, p.gps); }
        return Promise.resolve(blob).then(function (b) { return b.arrayBuffer(); })
          .then(function (data) { return { data: data, type: "image/jpeg" }; });
      })).then(function (list) {
        return { key: keyInput.value, userId: CFG.userId, savedAt: Date.now(), photos: list,
          fields: { category: select.value, description: description.value.trim(),
            lat: pin ? latInput.value : "", lng: pin ? lngInput.value : "" } };
      });
    });
  }
  var fixing = null; // the key of the refused report now in the form; it goes once this is sent
  fixingKey = function () { return fixing; };
  function restoreIntoForm(item, body) {
    if ((select.value || description.value.trim() || photos.length) && fixing !== item.key &&
        !window.confirm(S.replaceForm)) return false;
    fixing = item.key;
    updatePending();
    keyInput.value = uuid4(); // nothing was filed under the old key; the fixed report is new
    form.hidden = false;
    $("result").hidden = true;
    choose(item.fields.category, false);
    // invisible control characters (pasted from another app) are what a server refuses most:
    // they are taken out here, the worker sees the text that will be sent
    var text = item.fields.description || "";
    description.value = text.replace(CONTROL, "");
    if (item.fields.lat && item.fields.lng) setPin(+item.fields.lat, +item.fields.lng, "manual");
    photos = item.photos.map(function (p) {
      var blob = new Blob([p.data], { type: p.type });
      return { id: uuid4(), blob: blob, gps: null, url: URL.createObjectURL(blob), ready: Promise.resolve() };
    });
    renderThumbs();
    if (description.value === text) showErrors(body, S.fixing);
    else showErrors(withoutControlCharacters(body), S.cleaned);
    form.scrollIntoView();
    return true;
  }
  function withoutControlCharacters(body) { // what the phone has just taken out needs no words
    var codes = body.codes || {}, errors = {}, left = false;
    Object.keys(body.errors || {}).forEach(function (field) {
      var found = (codes[field] || []).map(function (p) { return p.code; });
      if (found.length && found.every(function (c) { return c === "control_characters"; })) return;
      errors[field] = body.errors[field];
      left = true;
    });
    return left ? { message: body.message, errors: errors } : { errors: {} };
  }
  function fixFromAddress() { // the list page's "fix" opens the form with #fix=<key>
    var m = /#fix=([^&]+)/.exec(window.location.hash);
    if (!m) return;
    var key = decodeURIComponent(m[1]);
    history.replaceState(null, "", window.location.pathname + window.location.search);
    outbox.mine().then(function (items) {
      var item = items.filter(function (i) { return i.key === key; })[0];
      if (item && refusal(item)) restoreIntoForm(item, refusal(item));
    }).catch(function () {});
  }
  function fixed() { // the form's report is filed or waiting: the refused one it fixed goes
    if (!fixing) return Promise.resolve();
    var key = fixing;
    fixing = null;
    return outbox.remove(key).then(updatePending, function () {});
  }
  function keepOnPhone(item, text) {
    return outbox.put(item).then(fixed).then(function () {
      remember(item.fields.category);
      resetForm();
      notice(text, "ok");
      return updatePending();
    }, function () { notice(S.serverBusy, "error"); });
  }
  function onSubmit(e) {
    e.preventDefault();
    if (submitButton.disabled) return;
    clearErrors();
    var missing = {};
    if (!select.value) missing.category = [S.needCategory];
    if (!description.value.trim()) missing.description = [S.needDescription];
    var pending = photos.some(function (p) { return !p.blob; });
    if (!pin && !photoGps() && !pending) missing.location = [S.needLocation];
    if (Object.keys(missing).length) {
      showErrors({ errors: missing });
      (missing.category ? $("cat-search") : missing.description ? description : $("locate")).focus();
      return;
    }
    submitButton.disabled = true;
    notice(pending ? S.preparing : "", "");
    buildItem().then(function (item) {
      if (!pin && !photoGps()) {
        showErrors({ errors: { location: [S.needLocation] } });
        return null;
      }
      if (navigator.onLine === false) return keepOnPhone(item, S.savedOffline);
      var bar = $("progress");
      $("progress-wrap").hidden = false;
      bar.value = 0;
      notice(S.sending, "");
      return send(item, function (f) { bar.value = Math.round(f * 100); }).then(function (r) {
        $("progress-wrap").hidden = true;
        if (r.kind === "ok") {
          fixed();
          remember(item.fields.category);
          notice("", "");
          resetForm();
          showResult(r.body, false);
          return null;
        }
        if (r.kind === "refused") { showErrors(r.body); return null; }
        if (r.kind === "retry") {
          item.attempts = 1;
          item.nextTryAt = Date.now() + retryDelay(1);
        }
        return keepOnPhone(item, r.kind === "auth" ? S.signIn : S.savedOffline);
      });
    }).catch(function () {
      notice(S.serverBusy, "error");
    }).then(function () { submitButton.disabled = false; });
  }

  function start() {
    try { buildPicker(); } catch (e) { $("category-select-wrap").hidden = false; select.required = true; }
    var input = $("f-photos");
    input.classList.add("visually-hidden"); // the label's own button, in the page's language
    $("add-photo").hidden = false;
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      input.value = ""; // the script uploads the downsized copies itself
      addFiles(files);
    });
    try { buildMap(); } catch (e) { locate(); }
    form.addEventListener("submit", onSubmit);
    startOutbox();
    fixFromAddress();
  }
  start();
})();
