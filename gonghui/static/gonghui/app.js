/*
 * Gonghui's own browser code. Loaded with `defer` after htmx and before Alpine's CSP build
 * (see templates/base.html). No eval, no inline handlers: the Content-Security-Policy is
 * script-src 'self'. Alpine components are registered here with Alpine.data() and used in
 * templates as x-data="name"; template expressions stay simple (property names and method
 * calls) so that the CSP build can evaluate them.
 */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js");

  // --- CSRF for htmx -------------------------------------------------------------------
  // The CSRF cookie is HttpOnly, so the token comes from <meta name="csrf-token">; putting it
  // in hx-headers on <body> makes every htmx request (which inherits hx-headers) carry it.
  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function installCsrfHeader() {
    var token = csrfToken();
    if (!token || !document.body) {
      return;
    }
    var headers = {};
    var existing = document.body.getAttribute("hx-headers");
    if (existing) {
      try {
        headers = JSON.parse(existing);
      } catch (e) {
        headers = {};
      }
    }
    headers["X-CSRFToken"] = token;
    document.body.setAttribute("hx-headers", JSON.stringify(headers));
    document.body.setAttribute("data-csrf-ready", "1");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", installCsrfHeader);
  } else {
    installCsrfHeader();
  }

  // htmx keeps keyboard focus across a swap when the focused element has an id that is
  // also in the new content, so sorting and paging links in components carry stable ids.

  // --- Alpine components ---------------------------------------------------------------
  document.addEventListener("alpine:init", function () {
    var Alpine = window.Alpine;

    // A dismissible message (components/toast.html): x-data="toast", :hidden="dismissed",
    // @click="dismiss".
    Alpine.data("toast", function () {
      return {
        dismissed: false,
        dismiss: function () {
          this.dismissed = true;
        },
      };
    });

    // A disclosure: a button that shows and hides a menu (console sidebar on small screens).
    // x-data="navToggle"; button: @click="toggle" :aria-expanded="open";
    // menu: :class="menuClass"; @keydown.escape="close".
    Alpine.data("navToggle", function () {
      return {
        open: false,
        toggle: function () {
          this.open = !this.open;
        },
        close: function () {
          this.open = false;
        },
        get menuClass() {
          return { "is-open": this.open };
        },
      };
    });
  });
})();
