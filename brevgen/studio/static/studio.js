// Skabelonstudiet: the editor page. No framework: a textarea with line numbers, a preview in a
// sandboxed iframe (no scripts run inside it; this page listens to it), and the checks.
//
// Flow: typing updates the draft; 300 ms after typing stops the draft goes to
// /api/brev/<event>/forhaandsvisning (one variant: letter, findings, LIX, checklist), then to
// /varianter (every variant compared with the saved text). "Se ændringer og gem" asks
// /aendringer for the side-by-side diff, and "Gem ændringerne" posts to /gem. Every call names
// the draft the editor works on (``kladde``); the first save without one makes a new draft.
'use strict';

(function () {
  const DEBOUNCE_MS = 300;
  const dataEl = document.getElementById('studio-data');
  if (!dataEl) return;
  const data = JSON.parse(dataEl.textContent);
  let csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);

  const el = {
    variant: $('variant'), variantDesc: $('variant-desc'), tabs: $('file-tabs'),
    sourceEditor: $('source-editor'), regimeEditor: $('regime-editor'), regimeTexts: $('regime-texts'),
    regimeInForce: $('regime-in-force'), sourceHeading: $('source-heading'),
    code: $('code'), gutter: $('gutter'), mirror: $('mirror'), textarea: $('source'), caret: $('caret'),
    preview: $('preview'), previewError: $('preview-error'), status: $('status'), problems: $('problems'), findings: $('findings'),
    lix: $('lix'), checklist: $('checklist'), notes: $('notes'), notesSection: $('notes-section'),
    allVariants: $('all-variants'), branches: $('branches'), saveState: $('save-state'),
    diff: $('diff'), diffBody: $('diff-body'), showDiff: $('show-diff'), save: $('save'), closeDiff: $('close-diff'),
    pdfForm: $('pdf-form'), pdfDraft: $('pdf-draft'), pdfVariant: $('pdf-variant'),
  };

  const state = {
    draft: data.draft,
    revision: data.revision,
    event: data.event,
    variant: data.variant,
    variants: data.variants,
    files: {},
    order: [],
    active: null,
    regimeTexts: [],
    regimeEdits: {},
    regimesDigest: data.regimes_digest,
    preview: null,
    report: null,
    seq: 0,
    timer: null,
    controller: null,
    caretLine: 0,
    previewSpans: [],
    savedAt: null,
  };
  for (const f of data.files) {
    state.files[f.name] = { original: f.source, current: f.source, digest: f.digest, label: f.label };
    state.order.push(f.name);
  }

  // --- helpers --------------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }
  const num = (x, d = 1) => (x === null || x === undefined ? '–' : Number(x).toFixed(d).replace('.', ','));
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const regimeKey = (regime, path) => `${regime}|${path}`;

  function draft() {
    const files = {};
    for (const name of state.order) {
      const f = state.files[name];
      if (f.current !== f.original) files[name] = f.current;
    }
    const regime = Object.values(state.regimeEdits)
      .filter((e) => e.text !== e.original)
      .map((e) => ({ regime: e.regime, path: e.path, text: e.text }));
    return { files, regime };
  }

  function isDirty() {
    const d = draft();
    return Object.keys(d.files).length > 0 || d.regime.length > 0;
  }

  async function post(url, body, signal, retried) {
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ ...body, kladde: state.draft }),
      signal,
    });
    const json = await response.json().catch(() => ({}));
    if (response.status === 403 && json.code === 'csrf' && !retried) {
      // Signed in again in another tab: fetch the new session's token once, and try again.
      const fresh = await fetch('/api/sikkerhedsnoegle', { credentials: 'same-origin' });
      if (fresh.ok) {
        csrf = (await fresh.json()).csrf;
        for (const input of document.querySelectorAll('input[name="csrf_token"]')) input.value = csrf;
        return post(url, body, signal, true);
      }
    }
    if (!response.ok) {
      const error = new Error(json.detail || 'Noget gik galt. Prøv igen.');
      error.status = response.status;
      throw error;
    }
    return json;
  }

  function say(text) {
    el.status.textContent = text;
  }

  function updateSaveState() {
    const dirty = isDirty();
    el.saveState.textContent = dirty
      ? 'Ændret, ikke gemt'
      : state.savedAt ? `Gemt kl. ${state.savedAt}` : 'Ingen ændringer';
    el.saveState.classList.toggle('dirty', dirty);
    for (const button of el.tabs.querySelectorAll('button[data-file]')) {
      const name = button.dataset.file;
      let changed;
      if (name === '@regime') changed = Object.values(state.regimeEdits).some((e) => e.text !== e.original);
      else changed = state.files[name] && state.files[name].current !== state.files[name].original;
      button.querySelector('.dirty').hidden = !changed;
    }
  }

  // --- the source editor ----------------------------------------------------------------

  function lineMarks() {
    const marks = {};
    const add = (line, level) => {
      if (!line) return;
      const rank = { error: 3, warning: 2, suggestion: 1 };
      if (!marks[line] || rank[level] > rank[marks[line]]) marks[line] = level;
    };
    if (state.preview) {
      for (const p of state.preview.problems || []) if (p.template === state.active) add(p.line, 'error');
      for (const f of state.preview.findings || []) if (f.file === state.active && !f.silenced) add(f.line, f.level);
    }
    return marks;
  }

  function renderMirror() {
    const lines = el.textarea.value.split('\n');
    const marks = lineMarks();
    const mirror = document.createDocumentFragment();
    lines.forEach((line, i) => {
      const mark = marks[i + 1];
      mirror.append(h('div', { class: 'ml' + (mark ? ` mark-${mark}` : '') + (i + 1 === state.caretLine ? ' current' : '') }, line || '\u200b'));
    });
    el.mirror.replaceChildren(mirror);
    const gutter = document.createDocumentFragment();
    const rows = el.mirror.children;
    for (let i = 0; i < rows.length; i++) {
      const mark = marks[i + 1];
      const g = h('div', { class: 'gl' + (mark ? ` mark-${mark}` : '') }, String(i + 1));
      // Fractional heights: rounding each row (offsetHeight) would drift over 200 lines.
      g.style.height = rows[i].getBoundingClientRect().height + 'px';
      gutter.append(g);
    }
    el.gutter.replaceChildren(gutter);
    el.textarea.style.height = el.mirror.getBoundingClientRect().height + 'px';
  }

  function caretLine() {
    return el.textarea.value.slice(0, el.textarea.selectionStart).split('\n').length;
  }

  function updateCaret() {
    if (state.active === '@regime') return;
    const line = caretLine();
    if (line === state.caretLine) return;
    const rows = el.mirror.children;
    if (rows[state.caretLine - 1]) rows[state.caretLine - 1].classList.remove('current');
    state.caretLine = line;
    if (rows[line - 1]) rows[line - 1].classList.add('current');
    el.caret.textContent = `Linje ${line} i ${state.active}`;
    highlightInPreview(`${state.active}:${line}`, null);
  }

  function openFile(name) {
    state.active = name;
    for (const button of el.tabs.querySelectorAll('button[data-file]')) {
      if (button.dataset.file === name) button.setAttribute('aria-current', 'true');
      else button.removeAttribute('aria-current');
    }
    const regime = name === '@regime';
    el.sourceEditor.hidden = regime;
    el.regimeEditor.hidden = !regime;
    if (regime) {
      el.sourceHeading.textContent = 'Regeltekster, som varianten bruger';
      renderRegime(true);
      return;
    }
    const file = state.files[name];
    el.sourceHeading.textContent = `Tekst: ${name}`;
    el.textarea.setAttribute('aria-label', `${file.label}: ${name}`);
    el.textarea.value = file.current;
    state.caretLine = 0;
    renderMirror();
    el.code.scrollTop = 0;
  }

  function flash(node) {
    node.classList.remove('flash');
    void node.offsetWidth; // restart the animation
    node.classList.add('flash');
  }

  function gotoLine(file, line) {
    if (!state.files[file]) {
      say(`Filen ${file} hører ikke til dette brev.`);
      return;
    }
    if (state.active !== file) openFile(file);
    const lines = el.textarea.value.split('\n');
    const n = Math.max(1, Math.min(line, lines.length));
    let start = 0;
    for (let i = 0; i < n - 1; i++) start += lines[i].length + 1;
    el.textarea.focus({ preventScroll: true });
    el.textarea.setSelectionRange(start, start + lines[n - 1].length);
    const row = el.mirror.children[n - 1];
    if (row) {
      el.code.scrollTop = Math.max(0, row.offsetTop - el.code.clientHeight / 3);
      flash(row);
    }
    el.code.scrollIntoView({ block: 'nearest' });
    updateCaret();
    say(`Linje ${n} i ${file}.`);
  }

  el.textarea.addEventListener('input', () => {
    const file = state.files[state.active];
    file.current = el.textarea.value;
    renderMirror();
    updateSaveState();
    schedule();
  });
  for (const type of ['keyup', 'click', 'select']) el.textarea.addEventListener(type, updateCaret);
  window.addEventListener('resize', () => { if (state.active !== '@regime') renderMirror(); });

  // --- regime texts -----------------------------------------------------------------------

  function renderRegime(force) {
    const texts = state.regimeTexts;
    const keys = texts.map((t) => regimeKey(t.regime, t.path)).join('\n');
    if (!force && el.regimeTexts.dataset.keys === keys) {
      // Same texts: keep the fields (and the caret) as they are.
      return;
    }
    el.regimeTexts.dataset.keys = keys;
    const p = state.preview && state.preview.regime;
    el.regimeInForce.textContent = p
      ? `Regelsæt for denne variant: ${p.name} (${p.id}), gælder fra ${p.from}${p.to ? ' til ' + p.to : ''}.${p.provisional ? ' Foreløbigt: reglerne er ikke vedtaget endnu.' : ''}`
      : '';
    if (!texts.length) {
      el.regimeTexts.replaceChildren(h('p', { class: 'muted' }, 'Varianten bruger ingen tekster fra regelsættet.'));
      return;
    }
    const list = texts.map((t, i) => {
      const key = regimeKey(t.regime, t.path);
      const edit = state.regimeEdits[key];
      const id = `regime-text-${i}`;
      const area = h('textarea', { id, rows: Math.max(2, Math.ceil(t.text.length / 65) + 1), 'data-key': key, 'data-path': t.path, 'aria-describedby': `${id}-where` });
      area.value = edit ? edit.text : t.text;
      area.addEventListener('input', () => {
        const current = state.regimeEdits[key] || { regime: t.regime, path: t.path, original: t.text };
        current.text = area.value;
        state.regimeEdits[key] = current;
        updateSaveState();
        schedule();
      });
      area.addEventListener('focus', () => highlightInPreview(null, t.path));
      const shared = t.shared_with.length
        ? ` Gælder også i ${plural(t.shared_with.length, 'nyere regelsæt', 'nyere regelsæt')}, der arver teksten (${t.shared_with.join(', ')}).`
        : '';
      return h('div', { class: 'regime-text', 'data-path': t.path },
        h('label', { for: id }, t.label),
        t.provisional ? h('span', { class: 'badge warning' }, 'Ikke bekræftet i loven') : null,
        area,
        h('p', { class: 'muted small', id: `${id}-where` },
          `Står i regelsættet »${t.regime_name}« (regimes.yml, linje ${t.line}).${shared}`,
          t.inserted_at ? ` Sat ind i brevet i ${t.inserted_at.replace(':', ', linje ')}.` : ''));
    });
    el.regimeTexts.replaceChildren(...list);
  }

  function openRegimeText(path) {
    openFile('@regime');
    const box = el.regimeTexts.querySelector(`.regime-text[data-path="${CSS.escape(path)}"]`);
    if (!box) {
      say('Teksten kommer fra sagens data, ikke fra regelsættet.');
      return;
    }
    const area = box.querySelector('textarea');
    area.focus();
    box.scrollIntoView({ block: 'nearest' });
    flash(box);
    say(`Regeltekst: ${box.querySelector('label').textContent}.`);
  }

  // --- the preview ------------------------------------------------------------------------

  function showPreview(html) {
    const frame = el.preview;
    const win = frame.contentWindow;
    const y = win ? win.scrollY : 0;
    frame.addEventListener('load', () => {
      if (frame.contentWindow) frame.contentWindow.scrollTo(0, y);
      wirePreview();
      frame.dataset.version = String(state.seq);
      highlightInPreview(state.active !== '@regime' && state.caretLine ? `${state.active}:${state.caretLine}` : null, null);
    }, { once: true });
    frame.srcdoc = html;
  }

  function wirePreview() {
    const doc = el.preview.contentDocument;
    if (!doc) return;
    state.previewSpans = Array.from(doc.querySelectorAll('[data-src]'));
    state.previewSpans.forEach((span, i) => span.setAttribute('tabindex', i === 0 ? '0' : '-1'));
    doc.addEventListener('click', (event) => {
      const link = event.target.closest('a');
      if (link) event.preventDefault(); // the preview never leaves the letter
      const span = event.target.closest('[data-src]');
      if (span) activate(span);
    });
    doc.addEventListener('keydown', (event) => {
      const spans = state.previewSpans;
      const i = spans.indexOf(doc.activeElement);
      if (i < 0) return;
      let next = null;
      if (event.key === 'ArrowDown' || event.key === 'ArrowRight') next = spans[Math.min(spans.length - 1, i + 1)];
      else if (event.key === 'ArrowUp' || event.key === 'ArrowLeft') next = spans[Math.max(0, i - 1)];
      else if (event.key === 'Home') next = spans[0];
      else if (event.key === 'End') next = spans[spans.length - 1];
      else if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        activate(spans[i]);
        return;
      }
      if (next) {
        event.preventDefault();
        spans[i].setAttribute('tabindex', '-1');
        next.setAttribute('tabindex', '0');
        next.focus();
      }
    });
  }

  function activate(span) {
    const regime = span.dataset.regime;
    if (regime && span.dataset.origin === 'data') {
      openRegimeText(regime);
      return;
    }
    const src = span.dataset.src || '';
    const at = src.lastIndexOf(':');
    if (at < 0) return;
    gotoLine(src.slice(0, at), Number(src.slice(at + 1)));
  }

  function highlightInPreview(src, regimePath) {
    const doc = el.preview.contentDocument;
    if (!doc) return;
    for (const old of doc.querySelectorAll('.here')) old.classList.remove('here');
    if (!src && !regimePath) return;
    const selector = regimePath ? `[data-regime="${CSS.escape(regimePath)}"]` : `[data-src="${CSS.escape(src)}"]`;
    const found = doc.querySelectorAll(selector);
    found.forEach((n) => n.classList.add('here'));
    if (found.length) {
      const win = el.preview.contentWindow;
      const rect = found[0].getBoundingClientRect();
      if (rect.top < 0 || rect.bottom > win.innerHeight) win.scrollTo(0, win.scrollY + rect.top - win.innerHeight / 3);
    }
  }

  // --- checks -----------------------------------------------------------------------------

  function gotoButton(file, line, label) {
    return h('button', {
      type: 'button', class: 'link goto', 'data-goto': `${file}:${line}`,
      onclick: () => gotoLine(file, line),
    }, label || `${file}, linje ${line}`);
  }

  function renderProblems(problems, error) {
    // Beside the preview, so the problem is seen where the letter stopped updating.
    el.previewError.hidden = !problems.length && !error;
    if (problems.length || error) {
      const first = problems[0];
      el.previewError.replaceChildren(...[
        h('p', {}, h('strong', {}, 'Brevet kan ikke vises lige nu. '), 'Du ser den sidste udgave, der kunne laves.'),
        first ? h('p', {}, first.template && first.line ? gotoButton(first.template, first.line) : null, first.template && first.line ? ': ' : '', first.message) : h('p', {}, error),
        problems.length > 1 ? h('p', {}, `Og ${problems.length - 1} mere under Tjek.`) : null,
      ].filter(Boolean));
    }
    if (!problems.length && !error) {
      el.problems.replaceChildren();
      return;
    }
    const items = problems.map((p) => h('li', {},
      p.template && p.line ? gotoButton(p.template, p.line) : null,
      p.template && p.line ? ': ' : '',
      p.message));
    el.problems.replaceChildren(h('div', { class: 'notice error' },
      h('h3', {}, problems.length ? 'Skabelonen kan ikke bruges sådan' : 'Brevet kan ikke laves'),
      error ? h('p', {}, error) : null,
      items.length ? h('ul', {}, items) : null));
  }

  const LEVELS = [['error', 'Fejl'], ['warning', 'Advarsler'], ['suggestion', 'Forslag']];

  function renderFindings(findings) {
    const shown = findings.filter((f) => !f.silenced);
    if (!shown.length) {
      el.findings.replaceChildren(h('p', { class: 'badge ok' }, 'Ingen fund i denne variant.'));
      return;
    }
    const groups = LEVELS.map(([level, title]) => {
      const items = shown.filter((f) => f.level === level);
      if (!items.length) return null;
      return h('section', { class: `level level-${level}` },
        h('h4', {}, `${title} (${items.length})`),
        h('ul', { class: 'finding-list' }, items.map((f) => h('li', { class: `finding level-${f.level}` },
          h('p', { class: 'f-head' },
            h('span', { class: `badge ${f.level}` }, f.level_da),
            ' ', h('span', { class: 'kind' }, `${f.kind} · ${f.rule}`),
            f.new ? h('span', { class: 'badge new' }, 'Ny') : null,
            f.count > 1 ? h('span', { class: 'muted' }, ` (${f.count} gange)`) : null),
          h('p', { class: 'f-msg' }, f.message),
          f.quote ? h('blockquote', { class: 'f-quote' }, f.quote) : null,
          h('p', { class: 'f-where' },
            f.file && f.line ? gotoButton(f.file, f.line) : null,
            f.regime_path ? ' · ' : null,
            f.regime_path ? h('button', { type: 'button', class: 'link', onclick: () => openRegimeText(f.regime_path) }, 'Rettes i regelsættet') : null,
            f.origin === 'data' && !f.regime_path ? h('span', { class: 'muted' }, ' · teksten kommer fra sagens data') : null)))));
    });
    el.findings.replaceChildren(...groups.filter(Boolean));
  }

  function renderLix(lix, before) {
    if (!lix) {
      el.lix.textContent = '–';
      return;
    }
    const parts = [h('strong', {}, `LIX ${num(lix.value)}`), ` – ${lix.band} (${lix.words} ord, ${lix.sentences} sætninger)`];
    if (before && before.lix !== null && Math.abs(before.lix - lix.value) >= 0.05) {
      const better = lix.value < before.lix;
      parts.push(h('span', { class: `change ${better ? 'better' : 'worse'}` }, ` Før: ${num(before.lix)} ${before.band} (${better ? 'lettere' : 'sværere'} nu).`));
    }
    el.lix.replaceChildren(...parts);
  }

  function renderChecklist(items) {
    el.checklist.replaceChildren(...items.map((c) => h('li', { class: c.ok ? 'ok' : 'missing' },
      h('span', { class: 'icon', 'aria-hidden': 'true' }, c.ok ? '✓' : '✗'),
      ' ', c.question, ' ',
      h('span', { class: 'state' }, c.ok ? 'med' : `mangler: ${c.problem}`))));
  }

  function renderNotes(notes) {
    el.notesSection.hidden = !notes || !notes.length;
    el.notes.replaceChildren(...(notes || []).map((n) => h('li', {}, n)));
  }

  const VERDICT = { bedre: 'Bedre', 'værre': 'Værre', 'uændret': 'Uændret', ukendt: '–' };

  function renderAllVariants(report) {
    if (report.error) {
      el.allVariants.replaceChildren(h('p', { class: 'notice error' }, report.error));
      el.branches.replaceChildren();
      return;
    }
    const rows = report.variants.map((v) => {
      const now = v.now;
      const before = v.before;
      const cell = (key) => {
        if (!now) return h('td', {}, '–');
        if (!now.ok) return h('td', {}, 'kan ikke laves');
        const changed = before && before.ok && before[key] !== now[key];
        return h('td', {}, String(now[key]), changed ? h('span', { class: 'muted' }, ` (før ${before[key]})`) : null);
      };
      return h('tr', { 'aria-current': v.key === state.variant ? 'true' : null },
        h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link', onclick: () => chooseVariant(v.key) }, v.title)),
        cell('errors'), cell('warnings'),
        h('td', {}, now && now.ok ? `${num(now.lix)} ${now.band}` : '–', before && before.ok && now && now.ok && Math.abs(before.lix - now.lix) >= 0.05 ? h('span', { class: 'muted' }, ` (før ${num(before.lix)})`) : null),
        h('td', {}, now && now.ok ? (now.required_ok === now.required_total ? 'alt er med' : `mangler ${now.missing.join(', ')}`) : '–'),
        h('td', { class: `verdict ${v.verdict}` }, now && !now.ok ? 'Kan ikke laves' : VERDICT[v.verdict] || v.verdict));
    });
    el.allVariants.replaceChildren(h('table', { class: 'matrix compact' },
      h('caption', { class: 'visually-hidden' }, 'Alle varianter med dine ændringer'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Variant'), h('th', { scope: 'col' }, 'Fejl'), h('th', { scope: 'col' }, 'Advarsler'),
        h('th', { scope: 'col' }, 'LIX'), h('th', { scope: 'col' }, 'Påkrævet indhold'), h('th', { scope: 'col' }, 'I forhold til det gemte'))),
      h('tbody', {}, rows)));
    if (!report.branches.length) {
      el.branches.replaceChildren(h('p', { class: 'muted' }, 'Alle grene i skabelonen bliver vist af mindst ét eksempel.'));
    } else {
      el.branches.replaceChildren(
        h('p', { class: 'hint' }, 'Ingen af eksemplerne når disse {% if %}-grene, så deres tekst er ikke tjekket. Tilføj et eksempel, der bruger dem.'),
        h('ul', {}, report.branches.map((b) => h('li', {}, gotoButton(b.file, b.line), ': ', h('code', {}, b.tag)))));
    }
  }

  // --- talking to the studio ------------------------------------------------------------------

  function schedule() {
    clearTimeout(state.timer);
    state.timer = setTimeout(refresh, DEBOUNCE_MS);
  }

  async function refresh() {
    clearTimeout(state.timer);
    if (state.controller) state.controller.abort();
    const controller = new AbortController();
    state.controller = controller;
    const seq = ++state.seq;
    const body = { variant: state.variant, ...draft() };
    const started = performance.now();
    el.preview.setAttribute('aria-busy', 'true');
    try {
      const preview = await post(`/api/brev/${state.event}/forhaandsvisning`, body, controller.signal);
      if (seq !== state.seq) return;
      state.preview = preview;
      state.regimeTexts = preview.regime_texts || [];
      renderProblems(preview.problems || [], preview.error);
      if (preview.html) showPreview(preview.html);
      else el.preview.dataset.version = String(seq);
      renderFindings(preview.findings || []);
      renderChecklist(preview.checklist || []);
      renderNotes(preview.notes);
      renderLix(preview.lix, null);
      if (state.active === '@regime') renderRegime(false);
      else renderMirror();
      const shown = (preview.findings || []).filter((f) => !f.silenced);
      const errors = shown.filter((f) => f.level === 'error').length;
      const warnings = shown.filter((f) => f.level === 'warning').length;
      const ms = Math.round(performance.now() - started);
      el.preview.dataset.ms = String(ms);
      say(preview.error
        ? `Brevet kan ikke vises: ${(preview.problems || []).length || 1} problem.`
        : `Brevet er opdateret: ${plural(errors, 'fejl', 'fejl')}, ${plural(warnings, 'advarsel', 'advarsler')}, LIX ${num(preview.lix && preview.lix.value)}.`);
      const report = await post(`/api/brev/${state.event}/varianter`, body, controller.signal);
      if (seq !== state.seq) return;
      state.report = report;
      renderAllVariants(report);
      const mine = report.variants.find((v) => v.key === state.variant);
      if (mine && preview.lix) renderLix(preview.lix, mine.before);
      el.allVariants.dataset.version = String(seq);
    } catch (error) {
      if (error.name === 'AbortError') return;
      if (error.status === 401) {
        // Never navigate away from unsaved text: sign in in another tab, then carry on here.
        el.status.replaceChildren('Du er ikke logget ind længere. Dine ændringer er her stadig. ',
          h('a', { href: '/login', target: '_blank', rel: 'noopener' }, 'Log ind igen i en ny fane'),
          ', og kom så tilbage hertil og ret videre.');
      } else {
        say(error.message);
      }
    } finally {
      if (seq === state.seq) el.preview.removeAttribute('aria-busy');
    }
  }

  function chooseVariant(key) {
    state.variant = key;
    el.variant.value = key;
    const v = state.variants.find((x) => x.key === key);
    el.variantDesc.textContent = v ? v.description : '';
    el.pdfVariant.value = key;
    const url = new URL(window.location.href);
    url.searchParams.set('variant', key);
    window.history.replaceState(null, '', url);
    refresh();
  }

  el.variant.addEventListener('change', () => chooseVariant(el.variant.value));

  el.tabs.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-file]');
    if (button) openFile(button.dataset.file);
  });

  el.pdfForm.addEventListener('submit', () => {
    el.pdfDraft.value = JSON.stringify(draft());
    el.pdfVariant.value = state.variant;
  });

  // --- what changes, and saving ---------------------------------------------------------------

  function diffCell(pieces) {
    return h('td', {}, pieces.map(([kind, text]) => {
      if (kind === '-') return h('del', {}, text);
      if (kind === '+') return h('ins', {}, text);
      return text;
    }));
  }

  async function showDiff() {
    if (!isDirty()) {
      say('Der er ingen ændringer at gemme.');
      return;
    }
    say('Henter ændringerne …');
    let result;
    try {
      result = await post(`/api/brev/${state.event}/aendringer`, draft());
    } catch (error) {
      say(error.message);
      return;
    }
    const blocks = [];
    const problems = (state.preview && state.preview.problems) || [];
    const blocked = problems.length > 0 || result.broken.length > 0;
    blocks.push(h('p', {}, `${plural(result.letters, 'brev ændrer sig', 'breve ændrer sig')}. ${plural(result.unchanged, 'brev er uændret', 'breve er uændrede')}.`));
    if (problems.length) blocks.push(h('p', { class: 'notice error' }, 'Ret problemerne under Tjek, før du gemmer.'));
    for (const b of result.broken) blocks.push(h('p', { class: 'notice error' }, `${b.title} (${b.event}) kan ikke laves: ${b.message}`));
    for (const c of result.changed) {
      const more = c.same.length
        ? h('p', { class: 'muted' }, `Samme ændring i ${plural(c.same.length, 'variant mere', 'varianter mere')}: ${c.same.join('; ')}.`)
        : null;
      blocks.push(h('section', { class: 'diff-letter' },
        h('h3', {}, `${c.event_title}: ${c.title}`),
        more,
        h('table', { class: 'diff-table' },
          h('caption', { class: 'visually-hidden' }, `Teksten i ${c.title}, før og efter`),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Nu (gemt)'), h('th', { scope: 'col' }, 'Med dine ændringer'))),
          h('tbody', {}, c.rows.map((r) => r.kind === 'skip'
            ? h('tr', { class: 'skip' }, h('td', { colspan: '2' }, `… ${plural(r.count, 'linje', 'linjer')} uændret …`))
            : h('tr', { class: r.kind }, diffCell(r.old), diffCell(r.new)))))));
    }
    el.diffBody.replaceChildren(...blocks);
    el.save.disabled = blocked;
    el.diff.hidden = false;
    el.diff.focus();
    say(`${plural(result.letters, 'brev ændrer sig', 'breve ændrer sig')}. Læs ændringerne igennem, og tryk Gem ændringerne.`);
  }

  async function save() {
    const d = draft();
    const base = {};
    for (const name of Object.keys(d.files)) base[name] = state.files[name].digest;
    if (d.regime.length) base['regimes.yml'] = state.regimesDigest;
    el.save.disabled = true;
    say('Gemmer …');
    try {
      const result = await post(`/api/brev/${state.event}/gem`, { ...d, base, revision: state.revision });
      if (result.draft !== state.draft) {
        // The first save made a draft: from now on the editor works on it.
        state.draft = result.draft;
        const url = new URL(window.location.href);
        url.searchParams.set('kladde', String(result.draft));
        window.history.replaceState(null, '', url);
        const idField = el.pdfForm.querySelector('input[name="kladde_id"]');
        if (idField) idField.value = String(result.draft);
      }
      state.revision = result.revision;
      for (const name of Object.keys(d.files)) {
        state.files[name].original = state.files[name].current;
        if (result.base[name]) state.files[name].digest = result.base[name];
      }
      if (result.base['regimes.yml']) state.regimesDigest = result.base['regimes.yml'];
      for (const e of Object.values(state.regimeEdits)) e.original = e.text;
      const now = new Date();
      state.savedAt = `${now.getHours()}.${String(now.getMinutes()).padStart(2, '0')}`;
      el.diff.hidden = true;
      updateSaveState();
      say(`Gemt i kladde ${result.draft}: ${result.saved.join(', ')}. Send kladden til godkendelse på kladdens side, når du er færdig.`);
      const link = document.getElementById('draft-link');
      if (link) link.textContent = `kladde ${result.draft}: ${result.title}`;
      else el.saveState.insertAdjacentElement('beforebegin', h('a', { href: `/kladder/${result.draft}`, id: 'draft-link' }, `Kladde ${result.draft}: ${result.title}`));
      refresh();
    } catch (error) {
      el.save.disabled = false;
      say(`Ikke gemt: ${error.message}`);
      el.diffBody.prepend(h('p', { class: 'notice error', role: 'alert' }, `Ikke gemt: ${error.message}`));
    }
  }

  if (el.showDiff) {  // absent when this user may not save here (a reviewer, a draft in review)
    el.showDiff.addEventListener('click', showDiff);
    el.save.addEventListener('click', save);
    el.closeDiff.addEventListener('click', () => {
      el.diff.hidden = true;
      el.showDiff.focus();
    });
  }

  window.addEventListener('beforeunload', (event) => {
    if (isDirty()) {
      event.preventDefault();
      event.returnValue = '';
    }
  });

  // --- start ----------------------------------------------------------------------------------

  const v = state.variants.find((x) => x.key === state.variant);
  el.variantDesc.textContent = v ? v.description : '';
  openFile(data.file);
  updateSaveState();
  refresh();
})();
