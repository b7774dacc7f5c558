/* The portal as a home-screen app: registers the service worker (the shell only, see
   smartcoop/pwa.py) and says when the phone is offline. */
(function () {
  var script = document.currentScript;
  if ("serviceWorker" in navigator && script && script.dataset.worker) {
    navigator.serviceWorker.register(script.dataset.worker, { scope: script.dataset.scope })
      .catch(function () { /* the portal works without it */ });
  }
  var banner = document.getElementById("offline-banner");
  function update() { if (banner) { banner.hidden = navigator.onLine; } }
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  update();
})();
