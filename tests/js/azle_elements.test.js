// Unit tests for static/azle/azle.js, our Azle-style library: loading it,
// building elements (sections, layouts, controls, text, images, visuals)
// and styling them, against a jsdom window (npm test).
'use strict';

const { test, describe } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { JSDOM } = require('jsdom');
const { ROOT, azlePage: page } = require('./support');

const AZLE_PATH = path.join(ROOT, 'static', 'azle', 'azle.js');
const D3_PATH = path.join(ROOT, 'node_modules', 'd3', 'dist', 'd3.min.js');
const { createAzle } = require(AZLE_PATH);

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
