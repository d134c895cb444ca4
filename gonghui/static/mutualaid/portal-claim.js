/*
 * The portal's claim form (mutualaid/portal_claim_form.html). Loaded without `defer` in the
 * page's <head>, so that it registers its Alpine component on alpine:init before Alpine
 * (deferred) starts. CSP build: the markup names only properties and methods.
 *
 * x-data="aidClaimForm" on the <form>, @change="choose" (the claim type decides which dates are
 * asked: the hospital stay, or the day of treatment), @submit="submitting" with the button's
 * :disabled="busy" (a second tap sends nothing more).
 * Invoice rows: <ol data-lines> of <li data-line>, a <template data-line-template> holding an
 * empty row (Django's formset empty form, "__prefix__" in its names and "__number__" as its
 * shown number), the add button @click="addLine" :disabled="full" :hidden="noScript", each
 * row's remove button @click="removeLine" :hidden="single". Rows are renumbered after every
 * change so that the formset's names stay 0…n-1 and TOTAL_FORMS stays right.
 */
(function () {
  "use strict";

  var NAME_INDEX = /lines-(\d+|__prefix__)-/;
  var ATTRIBUTES = ["name", "id", "for", "aria-describedby"];

  function renumber(form) {
    var rows = form.querySelectorAll("[data-lines] > [data-line]");
    Array.prototype.forEach.call(rows, function (row, index) {
      Array.prototype.forEach.call(row.querySelectorAll("*"), function (element) {
        ATTRIBUTES.forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value && NAME_INDEX.test(value)) {
            element.setAttribute(attribute, value.replace(new RegExp(NAME_INDEX.source, "g"), "lines-" + index + "-"));
          }
        });
      });
      var number = row.querySelector("[data-line-number]");
      if (number) {
        number.textContent = String(index + 1);
      }
    });
    var total = form.querySelector('input[name="lines-TOTAL_FORMS"]');
    if (total) {
      total.value = String(rows.length);
    }
    return rows.length;
  }

  document.addEventListener("alpine:init", function () {
    window.Alpine.data("aidClaimForm", function () {
      return {
        kind: "",
        rows: 1,
        max: 50,
        busy: false,
        init: function () {
          var checked = this.$root.querySelector('input[name="claim_type"]:checked');
          this.kind = checked ? checked.value : "";
          this.max = parseInt(this.$root.dataset.maxLines, 10) || 50;
          this.rows = this.$root.querySelectorAll("[data-lines] > [data-line]").length;
          // Back to a page kept in the browser's cache after submitting: the button works again.
          var self = this;
          window.addEventListener("pageshow", function () {
            self.busy = false;
          });
        },
        choose: function (event) {
          if (event.target && event.target.name === "claim_type") {
            this.kind = event.target.value;
          }
        },
        get hideStay() {
          return this.kind !== "inpatient";
        },
        get hideTreated() {
          return this.kind === "" || this.kind === "inpatient";
        },
        get noScript() {
          return false;
        },
        get single() {
          return this.rows <= 1;
        },
        get full() {
          return this.rows >= this.max;
        },
        addLine: function () {
          if (this.full) {
            return;
          }
          var template = this.$root.querySelector("[data-line-template]");
          var list = this.$root.querySelector("[data-lines]");
          var html = template.innerHTML
            .replace(/__prefix__/g, String(this.rows))
            .replace(/__number__/g, String(this.rows + 1));
          list.insertAdjacentHTML("beforeend", html);
          this.rows = renumber(this.$root);
          var rows = list.querySelectorAll("[data-line]");
          var first = rows[rows.length - 1].querySelector("input");
          if (first) {
            first.focus();
          }
        },
        removeLine: function (event) {
          var row = event.target.closest("[data-line]");
          // Rows added by addLine have no $root of their own: renumber the row's form.
          var form = row ? row.closest("form") : null;
          if (!row || !form || this.single) {
            return;
          }
          row.remove();
          this.rows = renumber(form);
        },
        submitting: function () {
          this.busy = true;
        },
      };
    });
  });
})();
