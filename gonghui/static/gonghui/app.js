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

    // Online joining, step 2 (members/join_employer.html): only the part for the chosen kind of
    // work is shown. x-data="joinEmployer" @change="choose" on the form; sections :hidden="hide…".
    // Before a choice only the choice is shown; without JavaScript every part is.
    Alpine.data("joinEmployer", function () {
      return {
        kind: "",
        init: function () {
          var checked = this.$el.querySelector('input[name="employer_kind"]:checked');
          this.kind = checked ? checked.value : "";
        },
        choose: function (event) {
          if (event.target && event.target.name === "employer_kind") {
            this.kind = event.target.value;
          }
        },
        get hideListed() {
          return this.kind !== "listed";
        },
        get hideUnlisted() {
          return this.kind !== "unlisted";
        },
        get hideGig() {
          return this.kind !== "none";
        },
        get hidePlace() {
          return this.kind !== "unlisted" && this.kind !== "none";
        },
      };
    });
  });
})();

// --- Online joining: the "text me a code" button waits before it may be pressed again ----------
// members/join_code_sender.html: after a code was sent the button is disabled with
// data-resend-countdown="<seconds>" and shows the seconds left in [data-resend-seconds]; it is
// enabled again, without the count, when they have run out. Runs on load and after htmx swaps
// the sender in.
(function () {
  "use strict";

  function countDown(root) {
    var buttons = (root || document).querySelectorAll("[data-resend-countdown]");
    Array.prototype.forEach.call(buttons, function (button) {
      var left = parseInt(button.getAttribute("data-resend-countdown"), 10) || 0;
      button.removeAttribute("data-resend-countdown");
      var seconds = button.querySelector("[data-resend-seconds]");
      var wait = button.querySelector("[data-resend-left]");
      var timer = window.setInterval(function () {
        left -= 1;
        if (seconds) {
          seconds.textContent = String(Math.max(left, 0));
        }
        if (left <= 0) {
          window.clearInterval(timer);
          button.disabled = false;
          if (wait) {
            wait.hidden = true;
          }
        }
      }, 1000);
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    countDown(event.target && event.target.parentNode ? event.target.parentNode : document);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      countDown(document);
    });
  } else {
    countDown(document);
  }
})();

// --- Coverage statistics: bar chart of founding and membership rates ---------------------
// orgs/coverage.html renders the data as <script type="application/json" id="coverage-chart-json">
// ({labels, series: [{name, values}], axis_label}) and an empty <div id="coverage-chart">.
// The chart is drawn on page load (the table's sorting and paging links load whole pages) and
// again after any htmx swap that brings a new data element.
(function () {
  "use strict";

  var BRAND = "#c8161d";
  var SECOND = "#4a6fa5";

  function drawCoverageChart() {
    var container = document.getElementById("coverage-chart");
    var source = document.getElementById("coverage-chart-json");
    if (!container || !source || !window.echarts) {
      return;
    }
    var data;
    try {
      data = JSON.parse(source.textContent);
    } catch (e) {
      return;
    }
    var chart = window.echarts.getInstanceByDom(container) || window.echarts.init(container);
    chart.setOption(
      {
        animation: false,
        color: [BRAND, SECOND],
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + "%"; } },
        legend: { top: 0 },
        grid: { left: 48, right: 16, top: 40, bottom: 8, containLabel: true },
        xAxis: {
          type: "category",
          data: data.labels,
          axisLabel: { interval: 0, rotate: data.labels.length > 6 ? 35 : 0, width: 120, overflow: "truncate" },
        },
        yAxis: { type: "value", name: data.axis_label, axisLabel: { formatter: "{value}%" } },
        series: data.series.map(function (s) {
          return { name: s.name, type: "bar", data: s.values, barMaxWidth: 28 };
        }),
      },
      true
    );
  }

  function resizeCoverageChart() {
    var container = document.getElementById("coverage-chart");
    var chart = container && window.echarts ? window.echarts.getInstanceByDom(container) : null;
    if (chart) {
      chart.resize();
    }
  }

  // Deferred scripts run while readyState is already "interactive", and echarts.min.js comes
  // after this file: wait for DOMContentLoaded, which follows all of them.
  if (document.readyState === "complete") {
    drawCoverageChart();
  } else {
    document.addEventListener("DOMContentLoaded", drawCoverageChart);
  }
  document.addEventListener("htmx:afterSwap", drawCoverageChart);
  window.addEventListener("resize", resizeCoverageChart);
})();

// --- Electronic member card: countdown of the QR code's validity ---------------------------
// members/_card_qr.html renders <span data-card-countdown="120">120</span>, the seconds the
// code has left. The deadline is taken from this phone's clock when the element first appears
// (the phone's and the server's clocks may differ), and the number is counted down each
// second. The card page's htmx poll swaps in a fresh code, and so a new element, well before 0.
(function () {
  "use strict";

  function tick() {
    var now = Date.now();
    var spans = document.querySelectorAll("[data-card-countdown]");
    for (var i = 0; i < spans.length; i++) {
      var span = spans[i];
      if (!span.hasAttribute("data-card-deadline")) {
        var seconds = parseInt(span.getAttribute("data-card-countdown"), 10) || 0;
        span.setAttribute("data-card-deadline", String(now + seconds * 1000));
      }
      var left = Math.max(0, Math.round((Number(span.getAttribute("data-card-deadline")) - now) / 1000));
      if (span.textContent !== String(left)) {
        span.textContent = String(left);
      }
    }
  }

  window.setInterval(tick, 1000);
})();

// --- Member self-service (members/me_*.html) ----------------------------------------------------
// me_categories.html: the platform fields ([data-gig-fields]) are shown only while the gig worker
// box ([data-gig-toggle]) is ticked; without this script they are always shown.
// me_mobile.html: the "send code" button carries data-resend-wait (seconds before another code
// may be asked for) and data-resend-label ("… {n} …"); it stays disabled and counts down till then.
(function () {
  "use strict";

  function syncGigFields() {
    var toggle = document.querySelector("[data-gig-toggle]");
    var fields = document.querySelector("[data-gig-fields]");
    if (toggle && fields) {
      fields.hidden = !toggle.checked;
    }
  }

  function startResendCountdown() {
    var buttons = document.querySelectorAll("[data-resend-wait]");
    Array.prototype.forEach.call(buttons, function (button) {
      var left = parseInt(button.getAttribute("data-resend-wait"), 10) || 0;
      if (left <= 0) {
        return;
      }
      var label = button.textContent;
      var template = button.getAttribute("data-resend-label") || "{n}";
      function show() {
        if (left <= 0) {
          button.disabled = false;
          button.textContent = label;
          window.clearInterval(timer);
          return;
        }
        button.disabled = true;
        button.textContent = template.replace("{n}", String(left));
        left -= 1;
      }
      var timer = window.setInterval(show, 1000);
      show();
    });
  }

  function init() {
    syncGigFields();
    startResendCountdown();
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.matches && event.target.matches("[data-gig-toggle]")) {
      syncGigFields();
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
