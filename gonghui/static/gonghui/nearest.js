/*
 * The "nearest to me" button of the portal's lists (components/nearest.html: merchants,
 * service points).
 * Loaded without `defer` in the page's <head>, so that it registers its Alpine component on
 * alpine:init before Alpine (deferred) starts. CSP build: no expressions in the markup, only
 * property and method names.
 *
 * x-data="nearest" on an element with data-denied / data-unavailable / data-timeout /
 * data-unsupported messages (translated by the template); the button @click="locate",
 * :disabled="busy"; the message element x-text="message" :hidden="noMessage".
 * On success the page reloads with ?lat=&lng= (other filters kept, paging reset): the server
 * computes the distances. On refusal the message says why and the list stays as it is.
 */
(function () {
  "use strict";

  function urlWithPosition(latitude, longitude) {
    var url = new URL(window.location.href);
    url.searchParams.set("lat", latitude.toFixed(5));
    url.searchParams.set("lng", longitude.toFixed(5));
    url.searchParams.delete("page");
    return url.toString();
  }

  document.addEventListener("alpine:init", function () {
    window.Alpine.data("nearest", function () {
      return {
        busy: false,
        message: "",
        get noMessage() {
          return !this.message;
        },
        say: function (key) {
          this.busy = false;
          this.message = this.$el.dataset[key] || this.$root.dataset[key] || "";
        },
        locate: function () {
          var self = this;
          if (!("geolocation" in navigator)) {
            self.say("unsupported");
            return;
          }
          self.busy = true;
          self.message = "";
          navigator.geolocation.getCurrentPosition(
            function (position) {
              window.location.assign(urlWithPosition(position.coords.latitude, position.coords.longitude));
            },
            function (error) {
              if (error.code === 1) {
                self.say("denied");
              } else if (error.code === 3) {
                self.say("timeout");
              } else {
                self.say("unavailable");
              }
            },
            { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 }
          );
        },
      };
    });
  });
})();
