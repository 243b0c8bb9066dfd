/* global document, location, SimpleWebAuthnBrowser */
// Security keys (WebAuthn): runs the browser ceremony for a form marked data-webauthn and
// posts its result in the form's "response" field. The options, their challenge included,
// come from the server in data-webauthn-options; the server keeps the challenge and checks
// everything. Without JavaScript the form is hidden and the page's other methods still work.
(function () {
  'use strict';

  // What the server refuses in a name once it is tidied (src/lib/control-characters.ts):
  // control characters, and bidi embeddings and overrides.
  // eslint-disable-next-line no-control-regex -- the very characters to find
  const REFUSED_IN_NAMES = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/;
  // A name with nothing to see, which the server refuses as empty (isBlank, same file).
  const NOTHING_TO_SEE =
    /^(?:[\p{Cf}\p{White_Space}\u115f\u1160\u2800\u3164\uffa0]|\u034f|[\u17b4\u17b5]|[\u180b-\u180d\u180f]|[\ufe00-\ufe0f]|[\u{e0100}-\u{e01ef}])*$/u;

  /** Whether the server would refuse the name as it reads it (then it says why, unasked). */
  function refusedName(name, max) {
    return (
      NOTHING_TO_SEE.test(name) || REFUSED_IN_NAMES.test(name) || (max > 0 && name.length > max)
    );
  }

  function start(form) {
    const kind = form.getAttribute('data-webauthn');
    const status = form.querySelector('[data-webauthn-status]');
    const problem = form.querySelector('[data-webauthn-problem]');
    // Progress is a status; what went wrong an alert, as the server's own errors are.
    const show = (shown, other, text) => {
      if (other) other.hidden = true;
      if (shown) {
        shown.textContent = text;
        shown.hidden = false;
      }
    };
    const say = (text) => show(status, problem, text);
    const warn = (text) => show(problem, status, text);
    const noscript = document.querySelector('[data-webauthn-needs-script]');
    if (noscript) noscript.hidden = true;
    const supported =
      typeof SimpleWebAuthnBrowser !== 'undefined' &&
      SimpleWebAuthnBrowser.browserSupportsWebAuthn();
    if (!supported) {
      warn(form.getAttribute('data-msg-unsupported') || '');
      return;
    }
    // Opened at another address than the help center's own (PUBLIC_URL): the browser would
    // refuse the key, and the server its answer, whatever the person does. Said at once, and
    // no button offers what cannot work.
    if (location.origin !== form.getAttribute('data-webauthn-origin')) {
      warn(form.getAttribute('data-msg-wrong-address') || '');
      return;
    }
    for (const part of form.querySelectorAll('[data-webauthn-only]')) part.hidden = false;

    let busy = false;
    form.addEventListener('submit', (event) => {
      const response = form.querySelector('input[name="response"]');
      if (!response || response.value !== '') return;
      // The name as the server reads it (src/web/form-input.ts): a tab is a space, bidi
      // isolates go, then trimmed and in one Unicode form. A name it would refuse (nothing to
      // see, a control character or bidi control left, too long) goes to the server as it is,
      // which says what is wrong, before any ceremony: the key would keep a credential never
      // stored here.
      const name = form.querySelector('input[name="name"]');
      const typed = name
        ? name.value
            .replace(/\t/g, ' ')
            .replace(/[\u2066-\u2069]/g, '')
            .trim()
            .normalize('NFC')
        : null;
      // Its length counts after NFC too, which may lengthen it past the field's own limit.
      if (typed !== null && refusedName(typed, name.maxLength)) return;
      event.preventDefault();
      if (busy) return;
      // A name another key has is refused by the server; said before the ceremony too.
      const taken = JSON.parse(form.getAttribute('data-webauthn-taken-names') || '[]');
      if (typed !== null && taken.includes(typed.toLowerCase())) {
        warn(form.getAttribute('data-msg-name-taken') || '');
        name.setAttribute('aria-invalid', 'true');
        name.focus();
        return;
      }
      if (name) name.removeAttribute('aria-invalid');
      busy = true;
      say(form.getAttribute('data-msg-waiting') || '');
      const optionsJSON = JSON.parse(form.getAttribute('data-webauthn-options') || '{}');
      const ceremony =
        kind === 'register'
          ? SimpleWebAuthnBrowser.startRegistration({ optionsJSON })
          : SimpleWebAuthnBrowser.startAuthentication({ optionsJSON });
      ceremony.then(
        (result) => {
          response.value = JSON.stringify(result);
          form.submit();
        },
        (error) => {
          busy = false;
          // The browser refuses a key that is in the excluded list: one this account has already.
          const known =
            kind === 'register' &&
            error &&
            (error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' ||
              error.name === 'InvalidStateError');
          warn(form.getAttribute(known ? 'data-msg-already-added' : 'data-msg-cancelled') || '');
        },
      );
    });
  }

  function ready() {
    for (const form of document.querySelectorAll('form[data-webauthn]')) start(form);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', ready);
  else ready();
})();
