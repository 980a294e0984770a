// The caseworker desk: draws the form from the description the server made from the case model,
// sends what is filled in for a preview (debounced), shows every problem at its field, and gets
// the letter's files. The CPR number lives only in its masked field and the MeMo request.
(function () {
  'use strict';

  var specEl = document.getElementById('desk-form');
  if (!specEl) return;
  var spec = JSON.parse(specEl.textContent);
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  var form = document.getElementById('case-form');
  var statusEl = document.getElementById('desk-status');
  var event = form.dataset.event || '';
  var touched = new Set();
  var showAll = false;
  var controls = new Map();   // concrete path -> control record
  var problems = [];          // last problems from the server
  var findings = [];
  var seq = 0;
  var timer = null;

  // -- small helpers ---------------------------------------------------------------------------
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false) return;
      if (k === 'class') node.className = attrs[k];
      else if (k === 'hidden') node.hidden = true;
      else node.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  function idOf(path) { return 'f-' + path.replace(/[^A-Za-z0-9_]+/g, '-').replace(/-+$/, ''); }
  function concrete(path, subs) {
    subs.forEach(function (s) { if (path.indexOf(s[0]) === 0) path = s[1] + path.slice(s[0].length); });
    return path;
  }
  function lastName(path) { var parts = path.split('.'); return parts[parts.length - 1]; }
  function labelFor(field, text) {
    var label = el('label', { 'for': idOf(field.cpath) }, text || field.label);
    if (field.required) label.appendChild(el('span', { 'class': 'req', 'aria-hidden': 'true' }, ' *'));
    return label;
  }

  // -- drawing the form --------------------------------------------------------------------------
  function hintAndError(wrapper, field) {
    var ids = [];
    if (field.help) { var h = el('p', { 'class': 'hint', id: idOf(field.cpath) + '-hjaelp' }, field.help); wrapper.appendChild(h); ids.push(h.id); }
    if (field.kind === 'items') { var li = el('p', { 'class': 'hint', id: idOf(field.cpath) + '-punkter' }, 'Skriv ét punkt pr. linje.'); wrapper.appendChild(li); ids.push(li.id); }
    var err = el('p', { 'class': 'field-error', id: idOf(field.cpath) + '-fejl', hidden: true });
    var note = el('p', { 'class': 'field-note', id: idOf(field.cpath) + '-note', hidden: true });
    wrapper.appendChild(err);
    wrapper.appendChild(note);
    return { ids: ids, err: err, note: note };
  }

  function inputAttrs(field) {
    var a = { id: idOf(field.cpath), name: field.cpath, 'data-path': field.cpath };
    if (field.placeholder) a.placeholder = 'fx ' + field.placeholder;
    if (field.required) a['aria-required'] = 'true';
    switch (field.kind) {
      case 'phone': a.type = 'tel'; a.inputmode = 'tel'; a.autocomplete = 'off'; break;
      case 'email': a.type = 'email'; a.autocomplete = 'off'; break;
      case 'url': a.type = 'url'; a.inputmode = 'url'; break;
      case 'postcode': a.type = 'text'; a.inputmode = 'numeric'; a.maxlength = '4'; a.pattern = '[0-9]{4}'; a.autocomplete = 'off'; a['class'] = 'short'; break;
      case 'cvr': a.type = 'text'; a.inputmode = 'numeric'; a.maxlength = '8'; a['class'] = 'short'; break;
      case 'date': a.type = 'date'; a['class'] = 'short'; break;
      case 'time': a.type = 'time'; a['class'] = 'short'; a.placeholder = null; break;
      case 'integer': a.type = 'number'; a.inputmode = 'numeric'; a.step = '1'; a.min = field.min; a.max = field.max; a['class'] = 'short'; break;
      case 'decimal': a.type = 'text'; a.inputmode = 'decimal'; a['class'] = 'short'; break;
      default: a.type = 'text'; if (field.max_length) a.maxlength = String(field.max_length);
    }
    a.autocomplete = a.autocomplete || 'off';
    return a;
  }

  function draw(fields, container, subs) {
    fields.forEach(function (f) {
      var field = Object.assign({}, f, { cpath: concrete(f.path, subs) });
      var rec = { field: field, subs: subs };
      var wrapper;
      if (field.kind === 'group' || field.kind === 'groups') {
        wrapper = el('fieldset', { 'class': 'group', 'data-path': field.cpath });
        wrapper.appendChild(el('legend', {}, field.label));
        var he = hintAndError(wrapper, field);
        rec.err = he.err; rec.note = he.note; rec.describe = he.ids;
        if (field.kind === 'group') {
          var body = el('div', { 'class': 'group-body' });
          if (field.optional) {
            var tid = idOf(field.cpath) + '-til';
            var box = el('div', { 'class': 'toggle' });
            var cb = el('input', { type: 'checkbox', id: tid, 'data-toggle': field.cpath });
            box.appendChild(cb);
            box.appendChild(el('label', { 'for': tid }, 'Tilføj ' + field.label.charAt(0).toLowerCase() + field.label.slice(1)));
            wrapper.appendChild(box);
            rec.toggle = cb;
            body.hidden = true;
            cb.addEventListener('change', function () { body.hidden = !cb.checked; changed(); });
          }
          wrapper.appendChild(body);
          draw(field.fields, body, subs);
        } else {
          var list = el('div', { 'class': 'items' });
          wrapper.appendChild(list);
          rec.list = list; rec.count = 0;
          var add = el('button', { type: 'button', 'class': 'button quiet small' }, 'Tilføj en linje mere');
          add.addEventListener('click', function () { addItem(rec); changed(); });
          wrapper.appendChild(add);
          rec.add = add;
        }
      } else if (field.kind === 'choice' || field.kind === 'alternative') {
        wrapper = el('fieldset', { 'class': 'choice-group', 'data-path': field.cpath, role: 'radiogroup' });
        var legend = el('legend', {}, field.label);
        if (field.required) legend.appendChild(el('span', { 'class': 'req', 'aria-hidden': 'true' }, ' *'));
        wrapper.appendChild(legend);
        var hc = hintAndError(wrapper, field);
        rec.err = hc.err; rec.note = hc.note; rec.describe = hc.ids;
        rec.radios = [];
        field.options.forEach(function (o, i) {
          var rid = idOf(field.cpath) + '-' + i;
          var line = el('div', { 'class': 'choice' });
          var r = el('input', { type: 'radio', id: rid, name: field.cpath, value: String(o.value), 'data-path': field.cpath });
          line.appendChild(r); line.appendChild(el('label', { 'for': rid }, o.label));
          wrapper.insertBefore(line, hc.err);
          rec.radios.push(r);
        });
      } else if (field.kind === 'datetime') {
        wrapper = el('fieldset', { 'class': 'datetime', 'data-path': field.cpath });
        var lg = el('legend', {}, field.label);
        if (field.required) lg.appendChild(el('span', { 'class': 'req', 'aria-hidden': 'true' }, ' *'));
        wrapper.appendChild(lg);
        var row = el('div', { 'class': 'row' });
        var d = el('input', { type: 'date', id: idOf(field.cpath), 'data-path': field.cpath, 'class': 'short' });
        var t = el('input', { type: 'time', id: idOf(field.cpath) + '-kl', 'data-path': field.cpath, 'class': 'short' });
        var dl = el('div', {}); dl.appendChild(el('label', { 'for': d.id }, 'Dato')); dl.appendChild(d);
        var tl = el('div', {}); tl.appendChild(el('label', { 'for': t.id }, 'Klokkeslæt')); tl.appendChild(t);
        row.appendChild(dl); row.appendChild(tl);
        wrapper.appendChild(row);
        var hd = hintAndError(wrapper, field);
        rec.err = hd.err; rec.note = hd.note; rec.describe = hd.ids;
        rec.inputs = [d, t];
      } else {
        wrapper = el('div', { 'class': 'field', 'data-path': field.cpath });
        wrapper.appendChild(labelFor(field));
        var input;
        if (field.kind === 'items' || field.kind === 'longtext') {
          input = el('textarea', { id: idOf(field.cpath), name: field.cpath, rows: field.kind === 'items' ? '3' : '2', 'data-path': field.cpath, 'aria-required': field.required ? 'true' : null, placeholder: field.placeholder ? 'fx ' + field.placeholder : null });
        } else if (field.kind === 'yesno') {
          wrapper.className = 'field check';
          wrapper.innerHTML = '';
          input = el('input', { type: 'checkbox', id: idOf(field.cpath), 'data-path': field.cpath });
          if (field.default) input.checked = true;
          wrapper.appendChild(input);
          wrapper.appendChild(labelFor(field));
        } else if (field.kind === 'yesno-unknown') {
          input = el('select', { id: idOf(field.cpath), 'data-path': field.cpath });
          [['', 'Ved ikke'], ['ja', 'Ja'], ['nej', 'Nej']].forEach(function (o) { input.appendChild(el('option', { value: o[0] }, o[1])); });
        } else {
          input = el('input', inputAttrs(field));
        }
        if (field.kind !== 'yesno') wrapper.appendChild(input);
        var hf = hintAndError(wrapper, field);
        rec.err = hf.err; rec.note = hf.note; rec.describe = hf.ids;
        rec.inputs = [input];
      }
      rec.wrapper = wrapper;
      (rec.inputs || []).concat(rec.radios || []).forEach(function (i) { describe(rec, i, false); });
      controls.set(field.cpath, rec);
      container.appendChild(wrapper);
    });
  }

  function addItem(rec) {
    var i = rec.count;
    if (rec.field.max_items && i >= rec.field.max_items) return;
    var item = el('fieldset', { 'class': 'item', 'data-index': String(i) });
    item.appendChild(el('legend', {}, rec.field.item_label + ' ' + (i + 1)));
    var subs = rec.subs.concat([[rec.field.path + '[]', rec.field.cpath + '[' + i + ']']]);
    draw(rec.field.fields, item, subs);
    var remove = el('button', { type: 'button', 'class': 'link' }, 'Fjern ' + rec.field.item_label.toLowerCase() + ' ' + (i + 1));
    remove.addEventListener('click', function () { removeLast(rec); changed(); });
    item.appendChild(remove);
    rec.list.appendChild(item);
    rec.count += 1;
  }
  function removeLast(rec) {
    if (rec.count <= Math.max(rec.field.min_items || 0, 1)) return;
    var item = rec.list.lastElementChild;
    rec.count -= 1;
    Array.from(controls.keys()).forEach(function (k) { if (k.indexOf(rec.field.cpath + '[' + rec.count + ']') === 0) controls.delete(k); });
    item.remove();
  }

  function describe(rec, input, withError) {
    var ids = rec.describe.slice();
    if (withError && !rec.err.hidden) ids.push(rec.err.id);
    if (!rec.note.hidden) ids.push(rec.note.id);
    if (ids.length) input.setAttribute('aria-describedby', ids.join(' ')); else input.removeAttribute('aria-describedby');
    if (withError && !rec.err.hidden) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  }

  // -- values --------------------------------------------------------------------------------
  function choiceValue(path) {
    var rec = controls.get(path);
    if (!rec || !rec.radios) return undefined;
    var on = rec.radios.find(function (r) { return r.checked; });
    return on ? on.value : undefined;
  }
  function visible(rec) {
    var w = rec.field.show_when;
    if (!w) return true;
    return w.values.map(String).indexOf(String(choiceValue(w.path))) >= 0;
  }
  function shown(rec) {
    // Shown, and every group around it too.
    var node = rec.wrapper;
    while (node && node !== form) { if (node.hidden) return false; node = node.parentElement; }
    return true;
  }

  function collect(fields, subs) {
    var out = {};
    fields.forEach(function (f) {
      var path = concrete(f.path, subs);
      var rec = controls.get(path);
      if (!rec || !visible(rec) || f.kind === 'alternative') return;
      var key = lastName(f.path).replace(/\[\]$/, '');
      var value;
      switch (f.kind) {
        case 'group':
          if (rec.toggle && !rec.toggle.checked) return;
          value = collect(f.fields, subs);
          break;
        case 'groups':
          value = [];
          for (var i = 0; i < rec.count; i++) value.push(collect(f.fields, subs.concat([[f.path + '[]', path + '[' + i + ']']])));
          break;
        case 'items':
          value = rec.inputs[0].value.split('\n').map(function (s) { return s.trim(); }).filter(Boolean);
          if (!value.length && !f.required) return;
          break;
        case 'choice':
          value = choiceValue(path);
          break;
        case 'datetime':
          var d = rec.inputs[0].value, t = rec.inputs[1].value;
          value = d && t ? d + 'T' + t : (d || (t ? t : undefined));
          break;
        case 'yesno':
          value = rec.inputs[0].checked;
          break;
        case 'yesno-unknown':
          var s = rec.inputs[0].value;
          value = s === 'ja' ? true : (s === 'nej' ? false : undefined);
          break;
        case 'integer':
          var n = rec.inputs[0].value.trim();
          value = /^\d+$/.test(n) ? parseInt(n, 10) : (n || undefined);
          break;
        case 'decimal':
          value = rec.inputs[0].value.trim().replace(',', '.') || undefined;
          break;
        default:
          value = rec.inputs[0].value.trim() || undefined;
      }
      if (value !== undefined) out[key] = value;
    });
    return out;
  }
  function caseData() {
    var data = collect(spec.fields, []);
    if (spec.profile) Object.assign(data, collect(spec.profile, []));
    return data;
  }

  function fill(fields, data, subs, infer) {
    fields.forEach(function (f) {
      var path = concrete(f.path, subs);
      var rec = controls.get(path);
      if (!rec) return;
      if (f.kind === 'alternative') {
        if (!infer) return;
        rec.radios.forEach(function (r) { r.checked = data && data[r.value] !== undefined && data[r.value] !== null; });
        return;
      }
      var v = data ? data[lastName(f.path).replace(/\[\]$/, '')] : undefined;
      switch (f.kind) {
        case 'group':
          if (rec.toggle) { rec.toggle.checked = v !== undefined && v !== null; rec.wrapper.querySelector('.group-body').hidden = !rec.toggle.checked; }
          fill(f.fields, v || {}, subs, infer);
          break;
        case 'groups':
          var want = Math.max(Array.isArray(v) ? v.length : 0, f.min_items || 0, 1);
          while (rec.count > want && rec.count > 0) { rec.count -= 1; rec.list.lastElementChild.remove(); }
          while (rec.count < want) addItem(rec);
          for (var i = 0; i < rec.count; i++) fill(f.fields, (v || [])[i] || {}, subs.concat([[f.path + '[]', path + '[' + i + ']']]), infer);
          break;
        case 'items': rec.inputs[0].value = Array.isArray(v) ? v.join('\n') : ''; break;
        case 'choice': rec.radios.forEach(function (r) { r.checked = v !== undefined && String(v) === r.value; }); break;
        case 'datetime':
          var text = v ? String(v).replace(' ', 'T') : '';
          rec.inputs[0].value = text.slice(0, 10); rec.inputs[1].value = text.slice(11, 16);
          break;
        case 'yesno': rec.inputs[0].checked = v === undefined ? !!f.default : !!v; break;
        case 'yesno-unknown': rec.inputs[0].value = v === true ? 'ja' : (v === false ? 'nej' : ''); break;
        case 'time': rec.inputs[0].value = v ? String(v).slice(0, 5) : ''; break;
        default: rec.inputs[0].value = v === undefined || v === null ? (f.default !== undefined && f.default !== null ? f.default : '') : String(v);
      }
    });
  }

  function applyVisibility() {
    controls.forEach(function (rec) { rec.wrapper.hidden = !visible(rec); });
  }

  // -- problems at their fields -----------------------------------------------------------------
  function controlFor(path) {
    var p = path;
    while (p) {
      if (controls.has(p) && shown(controls.get(p))) return controls.get(p);
      var cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut > 0 ? p.slice(0, cut) : '';
    }
    return null;
  }
  function alternativeFor(path) {
    var found = null;
    controls.forEach(function (rec) {
      if (rec.field.kind === 'alternative' && !choiceValue(rec.field.cpath) && rec.field.options.some(function (o) { return o.value === path.split('.')[0]; })) found = rec;
    });
    return found;
  }
  function itemNote(path) {
    var m = /\[(\d+)\]$/.exec(path);
    return m ? 'Punkt ' + (parseInt(m[1], 10)) + ': ' : '';
  }

  function showProblems() {
    controls.forEach(function (rec) { rec.err.hidden = true; rec.err.textContent = ''; rec.note.hidden = true; rec.note.textContent = ''; });
    var atLetter = [];
    var shownCount = 0, missing = 0;
    var summary = [];
    problems.forEach(function (p) {
      var rec = alternativeFor(p.path) || controlFor(p.path);
      if (p.kind === 'missing' && !(showAll || (rec && touched.has(rec.field.cpath)))) { missing += 1; return; }
      var text = (rec && rec.field.kind === 'items' ? itemNote(p.path) : '') + p.message;
      if (rec && rec.field.kind === 'alternative') text = 'Vælg en af mulighederne.';
      if (!rec) { atLetter.push(p); return; }
      rec.err.textContent = rec.err.textContent ? rec.err.textContent + ' ' + text : text;
      rec.err.hidden = false;
      shownCount += 1;
      summary.push({ rec: rec, label: rec.field.label, text: text });
      var details = rec.wrapper.closest('details');
      if (details) details.open = true;
    });
    findings.forEach(function (f) {
      var rec = controlFor(f.path);
      if (!rec) return;
      var text = (rec.field.kind === 'items' ? itemNote(f.path) : '') + f.message + ' (' + (f.level === 'warning' ? 'advarsel' : 'forslag') + ', ' + f.rule + ')';
      rec.note.textContent = rec.note.textContent ? rec.note.textContent + ' ' + text : text;
      rec.note.hidden = false;
    });
    controls.forEach(function (rec) { (rec.inputs || []).concat(rec.radios || []).forEach(function (i) { describe(rec, i, true); }); });
    drawSummary(summary, atLetter, missing);
    return { shown: shownCount, missing: missing, atLetter: atLetter.length };
  }

  function drawSummary(summary, atLetter, missing) {
    var box = document.getElementById('letter-problems');
    if (!box) return;
    box.innerHTML = '';
    if (!summary.length && !atLetter.length && !missing) return;
    var section = el('div', { 'class': 'notice error' });
    section.appendChild(el('h3', {}, 'Det skal rettes, før brevet kan laves'));
    var ul = el('ul', {});
    summary.forEach(function (s) {
      var li = el('li', {});
      var b = el('button', { type: 'button', 'class': 'link' }, s.label + ': ' + s.text);
      b.addEventListener('click', function () { var i = (s.rec.inputs || s.rec.radios || [])[0]; if (i) i.focus(); });
      li.appendChild(b); ul.appendChild(li);
    });
    atLetter.forEach(function (p) { ul.appendChild(el('li', {}, (p.label ? p.label + ': ' : '') + p.message)); });
    if (missing) {
      var li = el('li', {});
      li.appendChild(document.createTextNode(missing === 1 ? '1 felt mangler. ' : missing + ' felter mangler. '));
      var all = el('button', { type: 'button', 'class': 'link' }, 'Vis dem');
      all.addEventListener('click', function () { showAll = true; showProblems(); focusFirstError(); });
      li.appendChild(all); ul.appendChild(li);
    }
    section.appendChild(ul);
    box.appendChild(section);
  }
  function focusFirstError() {
    var first = form.querySelector('[aria-invalid="true"]');
    if (first) first.focus();
  }

  // -- the letter ----------------------------------------------------------------------------
  function post(url, body) {
    return fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify(body) });
  }
  function say(text, state) {
    statusEl.textContent = text;
    if (state) statusEl.dataset.state = state;
  }

  function changed(target) {
    if (target && target.dataset && target.dataset.path) touched.add(target.dataset.path);
    applyVisibility();
    if (spec.mode !== 'letter') return;
    clearTimeout(timer);
    document.body.dataset.pending = '1';
    timer = setTimeout(refresh, 350);
  }

  function refresh() {
    var mine = ++seq;
    document.body.dataset.pending = '1';
    var frame = document.getElementById('letter');
    frame.setAttribute('aria-busy', 'true');
    return post('/api/breve/' + event + '/forhaandsvisning', { 'case': caseData() }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (mine !== seq) return;
      frame.removeAttribute('aria-busy');
      if (!res.ok) { say(res.body.detail || 'Brevet kan ikke vises lige nu.', 'error'); return; }
      var body = res.body;
      problems = body.problems || [];
      findings = body.findings || [];
      var counts = showProblems();
      drawChecks(body);
      var stale = document.getElementById('letter-stale');
      stale.hidden = body.ok || frame.hidden;
      frame.classList.toggle('stale', !body.ok);
      if (body.ok) {
        frame.srcdoc = body.html;
        frame.hidden = false;
        document.getElementById('letter-empty').hidden = true;
        var notes = findings.length ? ' ' + (findings.length === 1 ? '1 forslag' : findings.length + ' forslag') + ' til din tekst står ved felterne.' : '';
        say('Brevet er opdateret.' + notes, 'ok');
      } else {
        var parts = [];
        if (counts.shown + counts.atLetter) parts.push((counts.shown + counts.atLetter) === 1 ? '1 ting skal rettes' : (counts.shown + counts.atLetter) + ' ting skal rettes');
        if (counts.missing) parts.push(counts.missing === 1 ? '1 felt mangler' : counts.missing + ' felter mangler');
        say('Brevet kan ikke laves endnu: ' + parts.join(', ') + '.', 'problems');
      }
      document.body.dataset.seq = String(mine);
      document.body.dataset.pending = '0';
    }).catch(function () {
      if (mine !== seq) return;
      frame.removeAttribute('aria-busy');
      say('Brevet kan ikke vises lige nu: ingen forbindelse til serveren.', 'error');
      document.body.dataset.pending = '0';
    });
  }

  function drawChecks(body) {
    var box = document.getElementById('kort-fortalt-check');
    box.innerHTML = '';
    if (!body.ok) return;
    box.appendChild(el('h3', {}, 'Kort fortalt'));
    var ul = el('ul', { 'class': 'checks' });
    (body.kort_fortalt || []).forEach(function (c) {
      var li = el('li', { 'class': c.ok ? 'ok' : 'missing' });
      li.appendChild(el('span', { 'class': 'badge ' + (c.ok ? 'ok' : 'warning') }, c.ok ? 'I orden' : 'Mangler'));
      li.appendChild(document.createTextNode(' ' + c.text));
      ul.appendChild(li);
    });
    box.appendChild(ul);
    (body.notes || []).forEach(function (n) { box.appendChild(el('p', { 'class': 'notice small' }, n)); });
    var formats = body.formats || {};
    document.querySelectorAll('input[name="format"]').forEach(function (r) {
      var why = formats[r.value];
      var hint = document.getElementById('format-' + r.value + '-hint');
      if (hint) { hint.textContent = why ? 'Kan ikke laves: ' + why : ''; hint.hidden = !why; }
    });
  }

  // -- downloads, export, import ---------------------------------------------------------------
  function saveBlob(response, fallback) {
    var name = fallback;
    var disp = response.headers.get('Content-Disposition') || '';
    var m = /filename="([^"]+)"/.exec(disp);
    if (m) name = m[1];
    return response.blob().then(function (blob) {
      var a = el('a', { href: URL.createObjectURL(blob), download: name, hidden: true });
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      return name;
    });
  }
  function problemResponse(r, statusNode) {
    return r.json().then(function (body) {
      if (body.problems && body.problems.length) {
        problems = body.problems.filter(function (p) { return p.path !== 'citizen.cpr'; });
        showAll = true;
        showProblems();
      }
      var cprProblem = (body.problems || []).find(function (p) { return p.path === 'citizen.cpr'; });
      if (cprProblem) showCprError(cprProblem.message);
      statusNode.textContent = body.detail || 'Det gik ikke.';
    });
  }
  function showCprError(text) {
    var e = document.getElementById('cpr-fejl');
    var i = document.getElementById('cpr');
    e.textContent = text; e.hidden = !text;
    if (text) { i.setAttribute('aria-invalid', 'true'); i.setAttribute('aria-describedby', 'cpr-hint cpr-fejl'); }
    else { i.removeAttribute('aria-invalid'); i.setAttribute('aria-describedby', 'cpr-hint'); }
  }

  function download() {
    var chosen = document.querySelector('input[name="format"]:checked');
    var fmt = chosen ? chosen.value : 'pdf';
    var node = document.getElementById('download-status');
    var body = { 'case': caseData(), format: fmt };
    var cprInput = document.getElementById('cpr');
    if (fmt === 'memo') body.cpr = cprInput.value;
    showCprError('');
    node.textContent = 'Laver brevet …';
    return post('/api/breve/' + event + '/hent', body).then(function (r) {
      if (!r.ok) return problemResponse(r, node);
      return saveBlob(r, 'brev.' + fmt).then(function (name) {
        node.textContent = 'Hentet: ' + name;
        if (fmt === 'memo') cprInput.value = '';  // not kept on the page either
      });
    }).catch(function () { node.textContent = 'Brevet kunne ikke hentes: ingen forbindelse til serveren.'; });
  }
  function exportCase(fmt) {
    var node = document.getElementById('tools-status');
    return post('/api/breve/' + event + '/eksport', { 'case': caseData(), format: fmt }).then(function (r) {
      if (!r.ok) return problemResponse(r, node);
      return saveBlob(r, 'sag.' + fmt).then(function (name) { node.textContent = 'Sagen er gemt som ' + name + '.'; });
    });
  }
  function importCase(file) {
    var node = document.getElementById('tools-status');
    return file.text().then(function (text) {
      return post('/api/breve/' + event + '/indlaes', { text: text, name: file.name });
    }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { node.textContent = body.detail || 'Filen kan ikke læses ind.'; return; }
        var data = body.data;
        // A case system may leave the caseworker and sender out: the profile's stay then.
        var keep = caseData();
        ['caseworker', 'sender'].forEach(function (k) { if (data[k] === undefined && keep[k] !== undefined) data[k] = keep[k]; });
        fill(spec.fields, data, [], true);
        if (spec.profile) fill(spec.profile, data, [], true);
        applyVisibility();
        showAll = true;
        node.textContent = 'Sagen er læst ind fra ' + file.name + '.' + (body.cpr_dropped ? ' CPR-nummeret i filen er ikke læst ind: skriv det, når du vælger Digital Post.' : '');
        refresh();
      });
    });
  }

  // -- the profile page ---------------------------------------------------------------------------
  function saveProfile() {
    var node = document.getElementById('profile-status');
    node.textContent = 'Gemmer …';
    return post('/api/breve/profil', { profile: collect(spec.fields, []) }).then(function (r) {
      return r.json().then(function (body) {
        if (r.ok) { problems = []; showProblems(); node.textContent = 'Din profil er gemt. Den bliver udfyldt i hvert nyt brev.'; return; }
        problems = body.problems || [];
        showAll = true;
        showProblems();
        node.textContent = body.detail || 'Profilen er ikke gemt.';
        focusFirstError();
      });
    });
  }

  // -- start ---------------------------------------------------------------------------------------
  draw(spec.fields, form.querySelector('.fields') || form, []);
  var profileBox = document.getElementById('profile-fields');
  if (spec.profile && profileBox) draw(spec.profile, profileBox, []);
  fill(spec.fields, spec.data || {}, [], false);
  if (spec.profile) fill(spec.profile, spec.data || {}, [], false);
  applyVisibility();
  form.addEventListener('input', function (e) { changed(e.target); });
  form.addEventListener('change', function (e) { changed(e.target); });
  form.addEventListener('focusout', function (e) {
    if (e.target.dataset && e.target.dataset.path && !touched.has(e.target.dataset.path)) { touched.add(e.target.dataset.path); if (problems.length) showProblems(); }
  });
  form.addEventListener('submit', function (e) { e.preventDefault(); if (spec.mode === 'profile') saveProfile(); });

  if (spec.mode === 'letter') {
    document.getElementById('download').addEventListener('click', download);
    document.querySelectorAll('input[name="format"]').forEach(function (r) {
      r.addEventListener('change', function () {
        var memo = document.querySelector('input[name="format"]:checked').value === 'memo';
        document.getElementById('cpr-box').hidden = !memo;
        if (!memo) { document.getElementById('cpr').value = ''; showCprError(''); }
      });
    });
    document.getElementById('export-json').addEventListener('click', function () { exportCase('json'); });
    document.getElementById('export-yaml').addEventListener('click', function () { exportCase('yaml'); });
    document.getElementById('import-file').addEventListener('change', function (e) { if (e.target.files[0]) importCase(e.target.files[0]); });
    refresh();
  } else {
    document.body.dataset.pending = '0';
  }
})();
