/* global document, Element, Node */
// The account menu is a popover, which works without JavaScript and closes with Escape or a
// click elsewhere, but not when the keyboard moves on: tabbing past "Log out" left it open,
// covering the links the focus went to. This closes it when the focus leaves it for another
// element of the page (not for the menu's own button, which toggles it).
(function () {
  'use strict';
  const menu = document.getElementById('account-menu');
  if (!menu || typeof menu.hidePopover !== 'function') return;
  menu.addEventListener('focusout', function (event) {
    const next = event.relatedTarget;
    if (!(next instanceof Node) || menu.contains(next)) return;
    if (next instanceof Element && next.closest('[popovertarget="account-menu"]')) return;
    if (menu.matches(':popover-open')) menu.hidePopover();
  });
})();
