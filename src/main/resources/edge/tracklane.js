/*! tracklane.js: first-party click storage and conversions for Tracklane (docs/edge.md). */
(function (w, src) {
  var d = document, K = "tl_click", DAY = 864e5, sent = {}, seen = {};
  var el = d.currentScript, attr = function (n) { return el && el.getAttribute("data-" + n); };
  var cfg = {
    endpoint: src ? new URL(src).origin : "",
    params: ["click_id"].concat((attr("param") || "").split(",").filter(Boolean)),
    program: attr("program"),
    domain: attr("cookie-domain")
  };

  function store(id, ms) {
    var secure = location.protocol == "https:" ? "; Secure" : "";
    var dom = cfg.domain ? "; Domain=" + cfg.domain : "";
    d.cookie = K + "=" + (ms > 0 ? id : "") + "; Max-Age=" + Math.floor(ms / 1e3) + "; Path=/; SameSite=Lax" + dom + secure;
    try {
      if (ms > 0) localStorage.setItem(K, JSON.stringify({ id: id, exp: Date.now() + ms }));
      else localStorage.removeItem(K);
    } catch (e) { /* storage disabled: the cookie alone */ }
  }

  function clickId() {
    var m = d.cookie.match(/(?:^|; )tl_click=([^;]+)/);
    if (m) return m[1];
    try {
      var v = JSON.parse(localStorage.getItem(K));
      if (v && v.exp > Date.now()) return v.id;
    } catch (e) { /* nothing stored */ }
    return null;
  }

  function capture() {
    var q = new URLSearchParams(location.search), id = null;
    for (var i = 0; i < cfg.params.length && !id; i++) id = q.get(cfg.params[i]);
    if (!id || !/^[A-Za-z0-9_-]{20,64}$/.test(id)) return;
    store(id, 30 * DAY);
    // The edge knows the campaign's cookie window, and whether the id is genuine at all.
    fetch(cfg.endpoint + "/t/click?click_id=" + encodeURIComponent(id), { credentials: "omit" })
      .then(function (r) { return r.json(); })
      .then(function (j) { store(id, j.max_age * 1e3); })
      .catch(function () { /* kept for the default window */ });
  }

  function post(path, body) {
    var url = cfg.endpoint + path, data = JSON.stringify(body);
    if (navigator.sendBeacon && navigator.sendBeacon(url, data)) return true;
    fetch(url, { method: "POST", body: data, keepalive: true, credentials: "include",
      headers: { "Content-Type": "text/plain" } }).catch(function () {});
    return true;
  }

  var api = {
    init: function (o) {
      for (var k in o) cfg[k] = o[k];
      if (o && o.params) cfg.params = ["click_id"].concat(o.params);
      capture();
      return api;
    },
    clickId: clickId,
    conversion: function (c) {
      if (!c || !c.transaction_id || sent[c.transaction_id]) return false;
      sent[c.transaction_id] = 1;
      var body = { transaction_id: String(c.transaction_id) };
      if (c.amount != null) body.amount = String(c.amount);
      if (c.currency) body.currency = c.currency;
      if (c.customer_id != null) body.customer_id = String(c.customer_id);
      var id = clickId();
      if (id) body.click_id = id;
      if (cfg.program) body.program_id = String(cfg.program);
      return post("/c.json", body);
    },
    impression: function (code) {
      if (!code || seen[code]) return false;
      seen[code] = 1;
      new Image().src = cfg.endpoint + "/i/" + encodeURIComponent(code);
      return true;
    }
  };
  w.tracklane = api;
  capture();
})(window, document.currentScript && document.currentScript.src);
