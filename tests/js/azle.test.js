// Unit tests for static/azle/azle.js, run against a jsdom window with Node's
// own test runner: `npm test` (node --test tests/js/).
'use strict';

const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { JSDOM } = require('jsdom');

const ROOT = path.join(__dirname, '..', '..');
const AZLE_PATH = path.join(ROOT, 'static', 'azle', 'azle.js');
const D3_PATH = path.join(ROOT, 'node_modules', 'd3', 'dist', 'd3.min.js');
const { createAzle } = require(AZLE_PATH);

// A fresh page per test; an http URL so document.cookie works.
function page(options = {}) {
  const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>', {
    url: 'http://localhost/',
    runScripts: options.runScripts,
  });
  const window = dom.window;
  const az = createAzle(window);
  return { window, document: window.document, az };
}

// Stands in for the browser's fetch: records each call and answers with
// whatever `respond` returns (a Response, or a thrown error for a network
// failure).
function stubFetch(window, respond) {
  const calls = [];
  window.fetch = async (url, init) => {
    calls.push({ url, init });
    return respond(url, init);
  };
  return calls;
}

function json(body, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

describe('loading', () => {
  test('as a plain browser script it defines window.az', () => {
    const dom = new JSDOM('<!DOCTYPE html><body></body>', { runScripts: 'outside-only' });
    dom.window.eval(fs.readFileSync(AZLE_PATH, 'utf8'));
    assert.equal(typeof dom.window.az.add_button, 'function');
    assert.equal(typeof dom.window.az.call_api, 'function');
  });

  test('the d3 file the page serves is installed', () => {
    assert.ok(fs.statSync(D3_PATH).size > 100000);
  });
});

describe('sections and layout', () => {
  test('add_sections appends N sections with the class to body', () => {
    const { az, document } = page();
    const sections = az.add_sections({ this_class: 'page_sections', sections: 4, full_screen: true });
    assert.equal(sections.length, 4);
    assert.equal(az.number_of('page_sections'), 4);
    const all = document.body.querySelectorAll(':scope > section.page_sections');
    assert.equal(all.length, 4);
    assert.equal(all[0].style.minHeight, '100vh');
    assert.equal(az.select('page_sections', 3), all[2]);
  });

  test('add_sections can go into a container', () => {
    const { az } = page();
    az.add_sections({ this_class: 'outer', sections: 1 });
    az.add_sections({ this_class: 'inner', sections: 2, target_class: 'outer', target_instance: 1 });
    assert.equal(az.select('outer', 1).querySelectorAll('section.inner').length, 2);
  });

  test('add_layout numbers its cells 1..rows*columns row-major', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main', sections: 1 });
    const layout = az.add_layout('main', 1, {
      this_class: 'grid', number_of_rows: 2, number_of_columns: 3,
    });
    assert.equal(az.number_of('grid_cells'), 6);
    assert.equal(az.number_of('grid_rows'), 2);
    assert.equal(layout.style.display, 'grid');
    assert.equal(layout.style.gridTemplateColumns, 'repeat(3, minmax(0, 1fr))');
    // Cell 5 is row 2, column 2.
    az.add_text('grid_cells', 5, { this_class: 'label', text: 'five' });
    const row2 = az.select('grid_rows', 2);
    assert.equal(row2.children[1].textContent, 'five');
  });

  test('add_layout honours row_class, cell_class and column_widths', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main' });
    az.add_layout('main', 1, {
      this_class: 'banner', row_class: 'banner_row', cell_class: 'banner_cell',
      number_of_rows: 1, number_of_columns: 2, column_widths: ['30%', '70%'],
    });
    assert.equal(az.number_of('banner_row'), 1);
    assert.equal(az.number_of('banner_cell'), 2);
    assert.equal(az.number_of('banner_cells'), 2);
    assert.equal(az.select('banner', 1).style.gridTemplateColumns, '30% 70%');
  });
});

describe('add_*', () => {
  test('add_button makes real buttons addressed by 1-based instance', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main' });
    az.add_button('main', 1, { this_class: 'go', text: 'First' });
    az.add_button('main', 1, { this_class: 'go', text: 'Second', aria_label: 'Second button' });
    const second = az.select('go', 2);
    assert.equal(second.tagName, 'BUTTON');
    assert.equal(second.type, 'button');
    assert.equal(second.textContent, 'Second');
    assert.equal(second.getAttribute('aria-label'), 'Second button');
    assert.equal(az.select('go', 1).textContent, 'First');
  });

  test('add_text sets text, never parses it as HTML', () => {
    const { az, document } = page();
    az.add_sections({ this_class: 'main' });
    const nasty = '<script>alert(1)</script><b>bold</b>';
    const element = az.add_text('main', 1, { this_class: 'msg', text: nasty });
    assert.equal(element.textContent, nasty);
    assert.equal(document.querySelectorAll('script, b').length, 0);
    assert.match(element.innerHTML, /&lt;script&gt;/);
    az.set_text('msg', 1, '<img src=x onerror=alert(1)>');
    assert.equal(document.querySelectorAll('img').length, 0);
    assert.equal(az.grab_value('msg', 1), '<img src=x onerror=alert(1)>');
  });

  test('add_text can make a heading', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main' });
    assert.equal(az.add_text('main', 1, { this_class: 'title', text: 'Hi', tag: 'h2' }).tagName, 'H2');
  });

  test('add_element refuses script tags, event attributes and script URLs', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main' });
    assert.throws(() => az.add_element('main', 1, { this_class: 'x', tag: 'script' }), /not allowed/);
    assert.throws(() => az.add_element('main', 1, { this_class: 'x', attributes: { onclick: 'f()' } }), /event attributes/);
    assert.throws(() => az.add_element('main', 1, { this_class: 'x', tag: 'a', attributes: { href: 'javascript:f()' } }), /unsafe URL/);
    const link = az.add_element('main', 1, { this_class: 'x', tag: 'a', text: 'Home', attributes: { href: '#training' } });
    assert.equal(link.getAttribute('href'), '#training');
  });

  test('add_dropdown makes a labelled select from strings or {value, label}', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main' });
    const select = az.add_dropdown('main', 1, {
      this_class: 'flower', label: 'Flower',
      options: [{ value: 'rose', label: 'Rose' }, { value: 'tulip', label: 'Tulip' }],
    });
    assert.equal(select.tagName, 'SELECT');
    assert.equal(select.labels.length, 1);
    assert.equal(select.labels[0].textContent, 'Flower');
    assert.equal(select.labels[0].htmlFor, select.id);
    assert.ok(select.parentElement.classList.contains('flower_field'));
    assert.equal(select.options[1].textContent, 'Tulip');
    assert.equal(az.grab_value('flower', 1), 'rose');
    select.value = 'tulip';
    assert.equal(az.grab_value('flower', 1), 'tulip');

    const plain = az.add_dropdown('main', 1, { this_class: 'size', title: 'Size', options: ['S', 'M'], value: 'M' });
    assert.equal(plain.labels[0].textContent, 'Size');
    assert.equal(az.grab_value('size', 1), 'M');
  });

  test('add_input makes a labelled input with type, min, max and value', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main' });
    const input = az.add_input('main', 1, {
      this_class: 'rounds', type: 'number', label: 'Rounds', value: 5, min: 1, max: 20,
    });
    assert.equal(input.type, 'number');
    assert.equal(input.min, '1');
    assert.equal(input.max, '20');
    assert.equal(input.labels[0].textContent, 'Rounds');
    assert.equal(az.grab_value('rounds', 1), '5');
    az.set_value('rounds', 1, 7);
    assert.equal(az.grab_value('rounds', 1), '7');
  });

  test('hide_label hides the label visually but keeps it', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main' });
    const input = az.add_input('main', 1, { this_class: 'q', label: 'Search', hide_label: true });
    const label = input.labels[0];
    assert.equal(label.textContent, 'Search');
    assert.equal(label.style.position, 'absolute');
    assert.equal(label.style.overflow, 'hidden');
  });

  test('controls without a label are refused', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main' });
    assert.throws(() => az.add_input('main', 1, { this_class: 'q' }), /label is required/);
    assert.throws(() => az.add_dropdown('main', 1, { this_class: 'q', options: [] }), /label is required/);
  });

  test('add_image calls the fallback on the error event, once', () => {
    const { az, window } = page();
    az.add_sections({ this_class: 'main' });
    const seen = [];
    const image = az.add_image('main', 1, {
      this_class: 'photo', image_path: '/media/missing.png', alt: 'A rose',
      fallback: (img) => { seen.push(img); img.src = '/static/placeholder.png'; },
    });
    assert.equal(image.alt, 'A rose');
    assert.equal(image.getAttribute('src'), '/media/missing.png');
    image.dispatchEvent(new window.Event('error'));
    image.dispatchEvent(new window.Event('error'));
    assert.deepEqual(seen, [image]);
    assert.equal(image.getAttribute('src'), '/static/placeholder.png');
  });

  test('add_image requires alt text', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main' });
    assert.throws(() => az.add_image('main', 1, { this_class: 'p', image_path: '/x.png' }), /alt is required/);
  });

  test('add_visual hands the container and window.d3 to draw', () => {
    const dom = new JSDOM('<!DOCTYPE html><body></body>', { runScripts: 'outside-only' });
    dom.window.eval(fs.readFileSync(D3_PATH, 'utf8'));
    const az = createAzle(dom.window);
    az.add_sections({ this_class: 'main' });
    const container = az.add_visual('main', 1, {
      this_class: 'chart',
      draw(element, d3) {
        d3.select(element).append('svg').selectAll('rect').data([1, 2, 3]).join('rect');
      },
    });
    assert.equal(container, az.select('chart', 1));
    assert.equal(container.querySelectorAll('svg rect').length, 3);
  });

  test('add_visual says so when d3 is not loaded', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main' });
    assert.throws(() => az.add_visual('main', 1, { this_class: 'chart', draw() {} }), /d3 is not loaded/);
  });
});

describe('style', () => {
  test('style_* applies snake_case and kebab-case properties', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main' });
    az.add_button('main', 1, { this_class: 'go', text: 'Go' });
    az.style_button('go', 1, { background_color: 'red', 'font-size': '20px', '--accent': 'blue' });
    const button = az.select('go', 1);
    assert.equal(button.style.backgroundColor, 'red');
    assert.equal(button.style.fontSize, '20px');
    assert.equal(button.style.getPropertyValue('--accent'), 'blue');
    az.style_button('go', 1, { background_color: null });
    assert.equal(button.style.backgroundColor, '');
  });

  test('all_style_* applies to every instance', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main', sections: 3 });
    az.all_style_sections('main', { padding: '8px' });
    for (let i = 1; i <= 3; i += 1) assert.equal(az.select('main', i).style.padding, '8px');
    assert.equal(az.style_text, az.style);
    assert.equal(az.style_layout, az.style);
  });
});

describe('events, values and state', () => {
  test('add_event fires on click with the event and element', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main' });
    az.add_button('main', 1, { this_class: 'go', text: 'Go' });
    const seen = [];
    az.add_event('go', 1, { type: 'click', function(event, element) { seen.push([event.type, element, this]); } });
    az.select('go', 1).click();
    const button = az.select('go', 1);
    assert.deepEqual(seen, [['click', button, button]]);
  });

  test('all_add_event listens on every instance', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main' });
    az.add_button('main', 1, { this_class: 'pick', text: 'A' });
    az.add_button('main', 1, { this_class: 'pick', text: 'B' });
    const seen = [];
    az.all_add_event('pick', { type: 'click', function() { seen.push(this.textContent); } });
    az.select('pick', 2).click();
    az.select('pick', 1).click();
    assert.deepEqual(seen, ['B', 'A']);
  });

  test('grab_value reads checkboxes as booleans', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main' });
    const box = az.add_input('main', 1, { this_class: 'agree', type: 'checkbox', label: 'Agree' });
    assert.equal(az.grab_value('agree', 1), false);
    box.click();
    assert.equal(az.grab_value('agree', 1), true);
  });

  test('hold_value keeps state', () => {
    const { az } = page();
    az.hold_value.round_id = 3;
    assert.equal(az.hold_value.round_id, 3);
  });

  test('wrapped functions are registered and called by name', () => {
    const { az } = page();
    az.add_wrapped_function({ name: 'add', function: (a, b) => a + b });
    assert.equal(az.call_wrapped_function.add(2, 3), 5);
    assert.equal(az.call_wrapped_function.toString, undefined);
    assert.throws(() => az.add_wrapped_function({ name: 'bad name', function() {} }), /identifier/);
    assert.throws(() => az.add_wrapped_function({ name: 'nothing' }), /function is required/);
  });
});

describe('changing the page', () => {
  test('hide and show keep an inline display', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main' });
    const layout = az.add_layout('main', 1, { this_class: 'g', number_of_rows: 1, number_of_columns: 1 });
    az.hide('g', 1);
    assert.equal(layout.hidden, true);
    assert.equal(layout.style.display, 'none');
    az.show('g', 1);
    assert.equal(layout.hidden, false);
    assert.equal(layout.style.display, 'grid');
  });

  test('set_disabled, clear and remove_element', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main', sections: 2 });
    az.add_button('main', 1, { this_class: 'go', text: 'Go' });
    az.set_disabled('go', 1, true);
    assert.equal(az.select('go', 1).disabled, true);
    az.set_disabled('main', 2, true);
    assert.equal(az.select('main', 2).getAttribute('aria-disabled'), 'true');
    az.clear('main', 1);
    assert.equal(az.number_of('go'), 0);
    az.remove_element('main', 1);
    assert.equal(az.number_of('main'), 1);
  });

  test('scroll_to scrolls smoothly and can move focus', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main', sections: 2 });
    const target = az.select('main', 2);
    const calls = [];
    target.scrollIntoView = (options) => calls.push(options);
    az.scroll_to('main', 2, { focus: true });
    assert.deepEqual(calls, [{ behavior: 'smooth', block: 'start' }]);
    assert.equal(target.ownerDocument.activeElement, target);
  });
});

describe('addressing errors', () => {
  test('a missing instance throws naming the class and instance', () => {
    const { az } = page();
    az.add_sections({ this_class: 'main', sections: 2 });
    assert.throws(() => az.select('main', 3), /class "main" instance 3 \(there are 2\)/);
    assert.throws(() => az.add_button('nowhere', 1, { this_class: 'b', text: 'x' }), /class "nowhere" instance 1/);
    assert.throws(() => az.style('main', 0, {}), /instance must be an integer from 1/);
    assert.throws(() => az.all_style('nowhere', {}), /no element with class "nowhere"/);
    assert.throws(() => az.select('two classes', 1), /one class name/);
  });
});

describe('call_api', () => {
  test('GET puts parameters in the query string, sends no CSRF token, reaches done', async () => {
    const { az, document, window } = page();
    document.cookie = 'csrftoken=abc123';
    const calls = stubFetch(window, () => json({ items: [1, 2] }));
    let done;
    const result = await az.call_api({
      url: '/api/rounds/', parameters: { page: 2, tag: ['a', 'b'], skip: undefined },
      done: (data, response) => { done = [data, response.status]; },
      fail: () => assert.fail('fail called'),
    });
    assert.equal(calls.length, 1);
    assert.equal(calls[0].url, '/api/rounds/?page=2&tag=a&tag=b');
    assert.equal(calls[0].init.method, 'GET');
    assert.equal(calls[0].init.credentials, 'same-origin');
    assert.equal(calls[0].init.body, undefined);
    assert.equal(calls[0].init.headers['X-CSRFToken'], undefined);
    assert.deepEqual(done, [{ items: [1, 2] }, 200]);
    assert.equal(result.ok, true);
    assert.deepEqual(result.data, { items: [1, 2] });
  });

  test('POST sends a JSON body and the X-CSRFToken header from the cookie', async () => {
    const { az, document, window } = page();
    document.cookie = 'csrftoken=abc123';
    const calls = stubFetch(window, () => json({ id: 7 }, 201));
    let data;
    await az.call_api({ url: '/api/answers/', method: 'post', parameters: { label: 'rose' }, done: (d) => { data = d; } });
    const { init } = calls[0];
    assert.equal(init.method, 'POST');
    assert.equal(init.headers['X-CSRFToken'], 'abc123');
    assert.equal(init.headers['Content-Type'], 'application/json');
    assert.equal(init.body, JSON.stringify({ label: 'rose' }));
    assert.equal(init.credentials, 'same-origin');
    assert.deepEqual(data, { id: 7 });
  });

  test('a 4xx JSON error reaches fail with the API error envelope', async () => {
    const { az, window } = page();
    const envelope = { code: 'invalid', message: 'Pick a flower.', fields: { label: ['Required.'] } };
    stubFetch(window, () => json({ error: envelope }, 400));
    let failed;
    const result = await az.call_api({
      url: '/api/answers/', method: 'POST', parameters: {},
      done: () => assert.fail('done called'),
      fail: (error, response) => { failed = [error, response.status]; },
    });
    assert.deepEqual(failed, [envelope, 400]);
    assert.equal(result.ok, false);
    assert.deepEqual(result.error, envelope);
  });

  test('a 5xx without the envelope gets a synthesized error', async () => {
    const { az, window } = page();
    stubFetch(window, () => new Response('<h1>Bad gateway</h1>', { status: 502, headers: { 'Content-Type': 'text/html' } }));
    let error;
    await az.call_api({ url: '/api/x/', fail: (e) => { error = e; } });
    assert.equal(error.code, 'http_502');
    assert.match(error.message, /502/);
  });

  test('a network failure reaches fail with code "network"', async () => {
    const { az, window } = page();
    stubFetch(window, () => { throw new TypeError('Failed to fetch'); });
    let error;
    const result = await az.call_api({ url: '/api/x/', fail: (e, response) => { error = [e.code, typeof e.message, response]; } });
    assert.deepEqual(error, ['network', 'string', null]);
    assert.equal(result.ok, false);
  });

  test('without fail the error is shown to the user in a dismissible alert', async () => {
    const { az, window, document } = page();
    window.gettext = (s) => (s === 'Dismiss' ? 'Fermer' : s);
    stubFetch(window, () => json({ error: { code: 'forbidden', message: '<b>No</b> access.' } }, 403));
    await az.call_api({ url: '/api/x/', method: 'DELETE' });
    const alert = document.querySelector('[role="alert"]');
    assert.ok(alert);
    assert.equal(alert.querySelector('.az_error_message').textContent, '<b>No</b> access.');
    assert.equal(document.querySelectorAll('b').length, 0);
    const dismiss = alert.querySelector('button');
    assert.equal(dismiss.type, 'button');
    assert.equal(dismiss.textContent, 'Fermer');
    dismiss.click();
    assert.equal(document.querySelector('[role="alert"]'), null);
  });

  test('an exception in done is not reported as a network failure', async () => {
    const { az, window } = page();
    stubFetch(window, () => json({}));
    let failCalled = false;
    await assert.rejects(
      az.call_api({ url: '/api/x/', done: () => { throw new Error('page bug'); }, fail: () => { failCalled = true; } }),
      /page bug/,
    );
    assert.equal(failCalled, false);
  });
});
