// Unit tests for static/azle/azle.js, our Azle-style library: events,
// values and state, changing the page, addressing errors and call_api
// (the project's API envelope, CSRF), against a jsdom window (npm test).
'use strict';

const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const { azlePage: page, json } = require('./support');

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
