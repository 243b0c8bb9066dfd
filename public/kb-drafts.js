/* global document, window */
// Knowledge-base editor: keeps what is typed in this browser until the server has it. A
// session that ran out while an article was being written sent its save to the log-in, and the
// text was lost; a tab closed by mistake lost it too. The form marked data-draft-key saves its
// text fields to localStorage as they change (only while they differ from what the page was
// opened with), and a page that opens with a kept text other than its own offers it back, with
// a choice to restore or discard it. A kept text the page already shows (the save went through,
// or the server gave the typed text back) is dropped. Without JavaScript or storage the form
// works as before.
//
// The version the text was typed against is kept with it and restored with it: saved later, it
// is checked against that version, so a change someone saved meanwhile is not overwritten
// unseen; the server answers with its conflict page, the typed text kept. The offer says so
// when the page shows a newer version than the kept text's. Which words were left as the page
// had them is kept too: a newer page showing another word there lacks nothing of the text.
(function () {
  'use strict';

  const PREFIX = 'portico-draft:';
  // With what each field held in the version the page was opened from (its hidden opened_
  // fields): a restored text is then checked field by field against the version it was typed
  // from, and a field its writer left alone takes what is saved now.
  const SETTINGS = ['category_id', 'slug', 'position', 'title', 'body'];
  const FIELDS = ['lang', ...SETTINGS, 'version', ...SETTINGS.map((name) => `opened_${name}`)];
  // What a page that already holds a kept text shows the same: its words. A new article's URL
  // name and order are filled in by the server, so they may differ once it is saved.
  const WORDS = ['title', 'body'];

  function storage() {
    try {
      const store = window.localStorage;
      const probe = `${PREFIX}probe`;
      store.setItem(probe, '1');
      store.removeItem(probe);
      return store;
    } catch {
      return null;
    }
  }

  function valuesOf(form) {
    const values = {};
    for (const name of FIELDS) {
      const field = form.elements.namedItem(name);
      if (field && 'value' in field) values[name] = field.value;
    }
    return values;
  }

  // Whether a kept text holds nothing the page lacks: each word is the page's, or one its
  // writer left as the page they typed on had it (`left`: the server's answer to a save refused
  // for a newer version shows the newer word there).
  function same(kept, page) {
    const left = Array.isArray(kept.left) ? kept.left : [];
    return WORDS.every(
      (name) => left.includes(name) || (kept.values[name] ?? '') === (page[name] ?? ''),
    );
  }

  const unchanged = (now, opened) =>
    WORDS.every((name) => (now[name] ?? '') === (opened[name] ?? ''));

  // A text nobody came back for in a week is not offered again.
  const KEPT_MS = 7 * 24 * 60 * 60 * 1000;

  function read(store, key) {
    let kept = null;
    try {
      kept = JSON.parse(store.getItem(key) || 'null');
    } catch {
      kept = null;
    }
    const usable =
      kept &&
      typeof kept === 'object' &&
      kept.values &&
      typeof kept.at === 'number' &&
      Date.now() - kept.at < KEPT_MS;
    if (!usable) {
      store.removeItem(key);
      return null;
    }
    return kept;
  }

  function offer(form, store, key, kept, onRestore) {
    const notice = document.createElement('div');
    notice.className = 'notice kb-draft';
    notice.setAttribute('role', 'status');
    const when = new Date(kept.at).toLocaleString(document.documentElement.lang || undefined, {
      dateStyle: 'medium',
      timeStyle: 'short',
    });
    const text = document.createElement('p');
    text.textContent = (form.getAttribute('data-draft-found') || '').replace('{when}', when);
    const version = form.elements.namedItem('version');
    const keptVersion = kept.values.version;
    if (
      version &&
      'value' in version &&
      typeof keptVersion === 'string' &&
      keptVersion !== version.value
    ) {
      text.textContent += ` ${form.getAttribute('data-draft-changed') || ''}`;
    }
    const actions = document.createElement('p');
    actions.className = 'button-row';
    const restore = document.createElement('button');
    restore.type = 'button';
    restore.className = 'button';
    restore.textContent = form.getAttribute('data-draft-restore') || '';
    const discard = document.createElement('button');
    discard.type = 'button';
    discard.className = 'button secondary';
    discard.textContent = form.getAttribute('data-draft-discard') || '';
    actions.append(restore, discard);
    notice.append(text, actions);
    form.before(notice);
    restore.addEventListener('click', () => {
      for (const name of FIELDS) {
        const field = form.elements.namedItem(name);
        if (field && 'value' in field && typeof kept.values[name] === 'string')
          field.value = kept.values[name];
      }
      onRestore(kept);
      notice.remove();
      const body = form.elements.namedItem('body');
      if (body && 'focus' in body) body.focus();
    });
    discard.addEventListener('click', () => {
      store.removeItem(key);
      notice.remove();
      const title = form.elements.namedItem('title');
      if (title && 'focus' in title) title.focus();
    });
  }

  function start(form, store) {
    const key = PREFIX + form.getAttribute('data-draft-key');
    const opened = valuesOf(form);
    const kept = read(store, key);
    // A restored text: the words its writer had left alone stay counted as left alone.
    let restored = null;
    if (kept && same(kept, opened)) store.removeItem(key);
    else if (kept)
      offer(form, store, key, kept, (chosen) => {
        restored = chosen;
      });
    // The page a new article's first save leads to: the text kept for "new article" is here.
    const created = form.getAttribute('data-draft-created');
    if (created) {
      const before = read(store, PREFIX + created);
      if (before && same(before, opened)) store.removeItem(PREFIX + created);
    }

    let timer = 0;
    const keep = () => {
      window.clearTimeout(timer);
      timer = 0;
      const now = valuesOf(form);
      // Nothing changed from the page (or changed back): nothing to keep, but an older kept
      // text still on offer stays until it is restored or discarded.
      if (unchanged(now, opened)) return;
      const left = WORDS.filter(
        (name) =>
          (now[name] ?? '') === (opened[name] ?? '') ||
          (restored !== null &&
            Array.isArray(restored.left) &&
            restored.left.includes(name) &&
            (now[name] ?? '') === (restored.values[name] ?? '')),
      );
      try {
        store.setItem(key, JSON.stringify({ at: Date.now(), values: now, left }));
      } catch {
        // Storage full or refused: the form still works, only without this safety net.
      }
    };
    form.addEventListener('input', () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(keep, 400);
    });
    // Kept before the page goes, whatever the server then answers.
    form.addEventListener('submit', keep);
    window.addEventListener('pagehide', () => {
      if (timer) keep();
    });
  }

  const store = storage();
  if (!store) return;
  for (const form of document.querySelectorAll('form[data-draft-key]')) start(form, store);
})();
