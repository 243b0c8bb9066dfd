/* global document, window */
// A notice left by the previous request ("The authenticator app has been set up.") is in the
// page when it loads, and screen readers do not read out a live region's content that was
// there from the start (WCAG 4.1.3). This puts the notice's words into an empty live region
// once the page has loaded, which they do read. Without JavaScript the notice is still seen,
// and read in its place.
(function () {
  'use strict';
  const shown = document.querySelectorAll('.notice[data-announce]');
  if (shown.length === 0) return;
  const regions = { status: null, alert: null };
  function regionFor(role) {
    if (!regions[role]) {
      const region = document.createElement('div');
      region.className = 'visually-hidden';
      region.setAttribute('role', role);
      region.setAttribute('data-announced', '');
      document.body.appendChild(region);
      regions[role] = region;
    }
    return regions[role];
  }
  const pending = [];
  shown.forEach(function (notice) {
    // Each message's own script tag runs this again: once each.
    notice.removeAttribute('data-announce');
    const role = notice.getAttribute('role') === 'alert' ? 'alert' : 'status';
    // The live region says it once: the notice on the page stays for the eye only.
    regionFor(role);
    notice.removeAttribute('role');
    pending.push({ role: role, text: notice.textContent.trim() });
  });
  // The empty regions must be in the page for a moment before their words arrive: a live
  // region that appears with its content is no more announced than the notice was.
  window.setTimeout(function () {
    pending.forEach(function (item) {
      const region = regions[item.role];
      region.textContent = region.textContent ? region.textContent + ' ' + item.text : item.text;
    });
    // Said: emptied again (which is not announced), so that reading the page finds the words
    // once, in the notice where they are seen.
    window.setTimeout(function () {
      Object.keys(regions).forEach(function (role) {
        if (regions[role]) regions[role].textContent = '';
      });
    }, 10000);
  }, 500);
})();
