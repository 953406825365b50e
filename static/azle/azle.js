/*
 * azle.js — Flower Power's own small implementation of the Azle calls we use.
 *
 * Azle (azlejs) is not published on any package registry, and the page must
 * work with no internet access, so we carry the subset we need here.
 *
 * Conventions (same as Azle):
 *   - every element gets a class name, `this_class`, and is addressed by
 *     (class, instance) where instance is 1-based, in document order;
 *   - calls read `az.add_thing(target_class, target_instance, {options})`.
 *
 * Safety rules this file keeps: text always goes in through textContent,
 * never innerHTML; no eval / new Function; the few user-facing strings go
 * through window.gettext (Django's JavaScript catalog) when it is loaded.
 *
 * In the browser this is a plain script that defines `window.az`. Under Node
 * it exports `createAzle(window)` so the tests can run it against jsdom.
 */
(function (global) {
  'use strict';

  var CLASS_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
  var WRAPPED_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
  var SAFE_METHODS = { GET: true, HEAD: true, OPTIONS: true, TRACE: true };
  // add_element/add_text build only these tags: an allowlist, so a caller
  // cannot create <script>, <iframe> or <style> through the library.
  var ALLOWED_TAGS = (
    'div span p h1 h2 h3 h4 h5 h6 nav header footer main aside article ' +
    'section ul ol li a strong em small code pre figure figcaption table ' +
    'thead tbody tfoot tr th td caption dl dt dd hr br output progress meter ' +
    'label fieldset legend form textarea'
  ).split(' ');
  var URL_ATTRIBUTES = { href: true, src: true, action: true, formaction: true };
  var SCRIPT_URL = /^\s*(javascript|vbscript|data):/i;
  // Visually hidden but still read by screen readers (for hide_label).
  var VISUALLY_HIDDEN = {
    position: 'absolute', width: '1px', height: '1px', padding: '0',
    margin: '-1px', overflow: 'hidden', clip: 'rect(0, 0, 0, 0)',
    'white-space': 'nowrap', border: '0'
  };

  function createAzle(win) {
    var doc = win.document;
    var az = {};
    var id_counter = 0;

    // The catalog may load after this file, so look gettext up at call time. Named gettext
    // so that `makemessages -d djangojs` extracts the strings passed to it.
    function gettext(text) {
      return typeof win.gettext === 'function' ? win.gettext(text) : text;
    }

    /* ---------------------------------------------------------------
     * Addressing
     * ------------------------------------------------------------- */

    function check_class(cls, caller) {
      if (typeof cls !== 'string' || !CLASS_NAME.test(cls)) {
        throw new Error(caller + ': class must be one class name (letters, digits, _ or -), got ' + JSON.stringify(cls));
      }
    }

    function all(cls, caller) {
      check_class(cls, caller || 'az');
      // getElementsByClassName is live; copy it so callers that add or
      // remove elements while iterating see a stable list.
      return Array.prototype.slice.call(doc.getElementsByClassName(cls));
    }

    function get_target_instance(cls, instance) {
      var elements = all(cls, 'az.get_target_instance');
      if (!Number.isInteger(instance) || instance < 1) {
        throw new Error('az: instance must be an integer from 1, got ' + JSON.stringify(instance) + ' for class "' + cls + '"');
      }
      var element = elements[instance - 1];
      if (!element) {
        throw new Error('az: no element with class "' + cls + '" instance ' + instance + ' (there are ' + elements.length + ')');
      }
      return element;
    }

    // all_* calls also throw on a class with no elements: a mistyped class
    // would otherwise do nothing, silently. Check az.number_of first when
    // zero elements is a legitimate state.
    function all_existing(cls, caller) {
      var elements = all(cls, caller);
      if (elements.length === 0) {
        throw new Error(caller + ': no element with class "' + cls + '"');
      }
      return elements;
    }

    az.get_target_instance = get_target_instance;
    az.select = get_target_instance;
    az.number_of = function (cls) { return all(cls, 'az.number_of').length; };

    /* ---------------------------------------------------------------
     * Building elements
     * ------------------------------------------------------------- */

    function set_attributes(element, attributes) {
      Object.keys(attributes || {}).forEach(function (name) {
        var value = attributes[name];
        var lower = name.toLowerCase();
        // Event handler attributes are code; URL attributes can be code too.
        if (lower.indexOf('on') === 0) {
          throw new Error('az: event attributes are not allowed (' + name + '); use az.add_event');
        }
        if (URL_ATTRIBUTES[lower] && SCRIPT_URL.test(String(value))) {
          throw new Error('az: unsafe URL in ' + name);
        }
        if (value === false || value === null || value === undefined) return;
        element.setAttribute(name, value === true ? '' : String(value));
      });
    }

    function make(tag, options, caller) {
      if (!options || typeof options !== 'object') {
        throw new Error(caller + ': options object is required');
      }
      check_class(options.this_class, caller);
      var element = doc.createElement(tag);
      element.classList.add(options.this_class);
      set_attributes(element, options.attributes);
      return element;
    }

    function append(target_class, target_instance, element) {
      get_target_instance(target_class, target_instance).appendChild(element);
      return element;
    }

    function unique_id(cls) {
      var id;
      do { id_counter += 1; id = 'az_' + cls + '_' + id_counter; } while (doc.getElementById(id));
      return id;
    }

    // Puts a form control after its own <label for=id>, inside a wrapper
    // (class <this_class>_field) so the pair can be laid out and hidden
    // together. Not label-wraps-control: a <select> inside its label would
    // add the selected option's text to the control's accessible name.
    function labelled(control, options, caller) {
      var text = options.label !== undefined ? options.label : options.title;
      if (text === undefined || text === null || text === '') {
        throw new Error(caller + ': label is required (every control needs an accessible name)');
      }
      var cls = options.this_class;
      control.id = control.id || unique_id(cls);
      var field = doc.createElement('div');
      field.classList.add(cls + '_field');
      var label = doc.createElement('label');
      label.classList.add(cls + '_label');
      label.htmlFor = control.id;
      label.textContent = String(text);
      if (options.hide_label) apply_style(label, VISUALLY_HIDDEN);
      field.appendChild(label);
      field.appendChild(control);
      return field;
    }

    // sections go to <body>, or into {target_class, target_instance}.
    az.add_sections = function (options) {
      if (!options || typeof options !== 'object') throw new Error('az.add_sections: options object is required');
      var created = [];
      var count = options.sections !== undefined ? options.sections : 1;
      if (!Number.isInteger(count) || count < 1) {
        throw new Error('az.add_sections: sections must be a positive integer');
      }
      var parent = options.target_class
        ? get_target_instance(options.target_class, options.target_instance || 1)
        : doc.body;
      for (var i = 0; i < count; i += 1) {
        var section = make('section', options, 'az.add_sections');
        if (options.full_screen) apply_style(section, { width: '100%', 'min-height': '100vh' });
        parent.appendChild(section);
        created.push(section);
      }
      return created;
    };

    // A CSS grid rather than a <table>: it is layout, not tabular data, so
    // screen readers should not announce rows and columns. Row wrappers use
    // display: contents so they can be addressed without breaking the grid.
    az.add_layout = function (target_class, target_instance, options) {
      var rows = options && options.number_of_rows;
      var columns = options && options.number_of_columns;
      if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(columns) || columns < 1) {
        throw new Error('az.add_layout: number_of_rows and number_of_columns must be positive integers');
      }
      var layout = make('div', options, 'az.add_layout');
      var cls = options.this_class;
      var widths = options.column_widths;
      apply_style(layout, {
        display: 'grid',
        'grid-template-columns': widths ? widths.join(' ') : 'repeat(' + columns + ', minmax(0, 1fr))'
      });
      for (var r = 0; r < rows; r += 1) {
        var row = doc.createElement('div');
        row.classList.add(options.row_class || cls + '_rows');
        row.style.display = 'contents';
        for (var c = 0; c < columns; c += 1) {
          var cell = doc.createElement('div');
          // Cells are numbered row-major in document order: cell n is
          // row ceil(n / columns), column ((n - 1) % columns) + 1.
          cell.classList.add(cls + '_cells');
          if (options.cell_class) cell.classList.add(options.cell_class);
          row.appendChild(cell);
        }
        layout.appendChild(row);
      }
      return append(target_class, target_instance, layout);
    };

    // For nav, lists, links and other structure Azle has no call for.
    az.add_element = function (target_class, target_instance, options) {
      var tag = String((options && options.tag) || 'div').toLowerCase();
      if (ALLOWED_TAGS.indexOf(tag) === -1) {
        throw new Error('az.add_element: tag "' + tag + '" is not allowed');
      }
      var element = make(tag, options, 'az.add_element');
      if (options.text !== undefined) element.textContent = String(options.text);
      return append(target_class, target_instance, element);
    };

    az.add_text = function (target_class, target_instance, options) {
      var merged = Object.assign({ tag: 'div' }, options, { text: options && options.text !== undefined ? options.text : '' });
      return az.add_element(target_class, target_instance, merged);
    };

    az.add_button = function (target_class, target_instance, options) {
      var button = make('button', options, 'az.add_button');
      // type="button": inside a <form> the default type would submit it.
      button.type = 'button';
      button.textContent = options.text !== undefined ? String(options.text) : '';
      if (options.aria_label) button.setAttribute('aria-label', String(options.aria_label));
      if (options.disabled) button.disabled = true;
      return append(target_class, target_instance, button);
    };

    az.add_image = function (target_class, target_instance, options) {
      var image = make('img', options, 'az.add_image');
      if (typeof (options.alt) !== 'string') {
        throw new Error('az.add_image: alt is required (use "" for a decorative image)');
      }
      image.alt = options.alt;
      if (options.width !== undefined) image.width = options.width;
      if (options.height !== undefined) image.height = options.height;
      if (typeof options.fallback === 'function') {
        // Listen before setting src so an early error is not missed; once,
        // so a fallback that swaps in a broken src cannot loop forever.
        image.addEventListener('error', function (event) {
          options.fallback.call(image, image, event);
        }, { once: true });
      }
      image.src = options.image_path;
      return append(target_class, target_instance, image);
    };

    az.add_dropdown = function (target_class, target_instance, options) {
      var select = make('select', options, 'az.add_dropdown');
      (options.options || []).forEach(function (item) {
        var option = doc.createElement('option');
        var is_object = item !== null && typeof item === 'object';
        option.value = String(is_object ? item.value : item);
        option.textContent = String(is_object ? (item.label !== undefined ? item.label : item.value) : item);
        select.appendChild(option);
      });
      if (options.value !== undefined) select.value = String(options.value);
      append(target_class, target_instance, labelled(select, options, 'az.add_dropdown'));
      return select;
    };

    az.add_input = function (target_class, target_instance, options) {
      var input = make('input', options, 'az.add_input');
      input.type = options.type || 'text';
      ['min', 'max', 'step', 'placeholder'].forEach(function (name) {
        if (options[name] !== undefined) input.setAttribute(name, String(options[name]));
      });
      if (options.value !== undefined) input.value = String(options.value);
      if (options.required) input.required = true;
      append(target_class, target_instance, labelled(input, options, 'az.add_input'));
      return input;
    };

    // draw(container, d3) does the D3 work; d3 comes from the page's own
    // copy (node_modules/d3/dist/d3.min.js served by Django, no CDN).
    az.add_visual = function (target_class, target_instance, options) {
      if (!options || typeof options.draw !== 'function') {
        throw new Error('az.add_visual: draw must be a function(container, d3)');
      }
      if (!win.d3) throw new Error('az.add_visual: window.d3 is not loaded');
      var container = make('div', options, 'az.add_visual');
      append(target_class, target_instance, container);
      options.draw(container, win.d3);
      return container;
    };

    /* ---------------------------------------------------------------
     * Styling
     * ------------------------------------------------------------- */

    // Keys may be snake_case (Azle style) or kebab-case; values are used as
    // given (no "px" guessing), and null/undefined/'' removes a property.
    function apply_style(element, properties) {
      Object.keys(properties || {}).forEach(function (key) {
        var name = key.indexOf('--') === 0 ? key : key.replace(/_/g, '-');
        var value = properties[key];
        if (value === null || value === undefined || value === '') {
          element.style.removeProperty(name);
        } else {
          element.style.setProperty(name, String(value));
        }
      });
      return element;
    }

    az.style = function (cls, instance, properties) {
      return apply_style(get_target_instance(cls, instance), properties);
    };
    az.all_style = function (cls, properties) {
      return all_existing(cls, 'az.all_style').map(function (element) {
        return apply_style(element, properties);
      });
    };
    ['button', 'text', 'sections', 'layout', 'image', 'dropdown', 'input', 'visual', 'element'].forEach(function (thing) {
      az['style_' + thing] = az.style;
      az['all_style_' + thing] = az.all_style;
    });

    /* ---------------------------------------------------------------
     * Events, values, state
     * ------------------------------------------------------------- */

    function listen(element, options, caller) {
      if (!options || typeof options.type !== 'string' || typeof options.function !== 'function') {
        throw new Error(caller + ': {type: string, function: function} is required');
      }
      var handler = options.function;
      element.addEventListener(options.type, function (event) {
        handler.call(element, event, element);
      });
      return element;
    }

    az.add_event = function (cls, instance, options) {
      return listen(get_target_instance(cls, instance), options, 'az.add_event');
    };
    az.all_add_event = function (cls, options) {
      return all_existing(cls, 'az.all_add_event').map(function (element) {
        return listen(element, options, 'az.all_add_event');
      });
    };

    function is_control(element) {
      return /^(INPUT|SELECT|TEXTAREA)$/.test(element.tagName);
    }

    az.grab_value = function (cls, instance) {
      var element = get_target_instance(cls, instance);
      if (element.tagName === 'INPUT' && (element.type === 'checkbox' || element.type === 'radio')) {
        return element.checked;
      }
      return is_control(element) ? element.value : element.textContent;
    };

    az.set_value = function (cls, instance, value) {
      var element = get_target_instance(cls, instance);
      if (!is_control(element)) throw new Error('az.set_value: "' + cls + '" instance ' + instance + ' is not an input, select or textarea');
      element.value = String(value);
      return element;
    };

    // Azle's shared bag of page state: az.hold_value.round_id = 3.
    az.hold_value = {};

    /* ---------------------------------------------------------------
     * Changing what is on the page
     * ------------------------------------------------------------- */

    az.set_text = function (cls, instance, text) {
      var element = get_target_instance(cls, instance);
      element.textContent = text === undefined || text === null ? '' : String(text);
      return element;
    };

    az.set_disabled = function (cls, instance, disabled) {
      var element = get_target_instance(cls, instance);
      if ('disabled' in element) {
        element.disabled = Boolean(disabled);
      } else if (disabled) {
        // Non-form elements have no disabled state; tell assistive tech.
        element.setAttribute('aria-disabled', 'true');
      } else {
        element.removeAttribute('aria-disabled');
      }
      return element;
    };

    az.remove_element = function (cls, instance) {
      var element = get_target_instance(cls, instance);
      element.remove();
      return element;
    };

    az.clear = function (cls, instance) {
      var element = get_target_instance(cls, instance);
      while (element.firstChild) element.removeChild(element.firstChild);
      return element;
    };

    // Both the hidden attribute and display: none, because a class rule such
    // as `display: grid` would otherwise override [hidden]. The inline
    // display we replace is kept so show() restores a grid as a grid.
    az.hide = function (cls, instance) {
      var element = get_target_instance(cls, instance);
      if (!element.hidden) element.dataset.azDisplay = element.style.display;
      element.hidden = true;
      element.style.display = 'none';
      return element;
    };

    az.show = function (cls, instance) {
      var element = get_target_instance(cls, instance);
      element.hidden = false;
      element.style.display = element.dataset.azDisplay || '';
      delete element.dataset.azDisplay;
      return element;
    };

    // options.focus moves keyboard focus too, so in-page navigation works
    // for keyboard and screen reader users, not only visually.
    az.scroll_to = function (cls, instance, options) {
      var element = get_target_instance(cls, instance);
      var reduce = typeof win.matchMedia === 'function' &&
        win.matchMedia('(prefers-reduced-motion: reduce)').matches;
      if (typeof element.scrollIntoView === 'function') {
        element.scrollIntoView({ behavior: reduce ? 'auto' : 'smooth', block: 'start' });
      }
      if (options && options.focus) {
        if (!element.hasAttribute('tabindex')) element.setAttribute('tabindex', '-1');
        element.focus({ preventScroll: true });
      }
      return element;
    };

    /* ---------------------------------------------------------------
     * Wrapped functions
     * ------------------------------------------------------------- */

    // No prototype, so names like "toString" or "constructor" are free and a
    // missing name is undefined rather than something inherited.
    az.call_wrapped_function = Object.create(null);

    az.add_wrapped_function = function (options) {
      if (!options || typeof options.name !== 'string' || !WRAPPED_NAME.test(options.name)) {
        throw new Error('az.add_wrapped_function: name must be an identifier, got ' + JSON.stringify(options && options.name));
      }
      if (typeof options.function !== 'function') {
        throw new Error('az.add_wrapped_function: function is required for "' + options.name + '"');
      }
      az.call_wrapped_function[options.name] = options.function;
      return options.function;
    };

    /* ---------------------------------------------------------------
     * Errors shown to the user
     * ------------------------------------------------------------- */

    // One box at a time at the top of the page; role="alert" makes screen
    // readers announce it when it is inserted. Style it through .az_error.
    az.show_error = function (message) {
      all('az_error').forEach(function (old) { old.remove(); });
      var box = doc.createElement('div');
      box.classList.add('az_error');
      box.setAttribute('role', 'alert');
      var text = doc.createElement('span');
      text.classList.add('az_error_message');
      text.textContent = String(message);
      var dismiss = doc.createElement('button');
      dismiss.type = 'button';
      dismiss.classList.add('az_error_dismiss');
      dismiss.textContent = gettext('Dismiss');
      dismiss.addEventListener('click', function () { box.remove(); });
      box.appendChild(text);
      box.appendChild(dismiss);
      doc.body.insertBefore(box, doc.body.firstChild);
      return box;
    };

    /* ---------------------------------------------------------------
     * call_api
     * ------------------------------------------------------------- */

    function read_cookie(name) {
      var parts = doc.cookie ? doc.cookie.split(';') : [];
      for (var i = 0; i < parts.length; i += 1) {
        var part = parts[i].trim();
        if (part.indexOf(name + '=') === 0) return decodeURIComponent(part.slice(name.length + 1));
      }
      return null;
    }

    // The cookie, or Django's {% csrf_token %} field when the cookie is not
    // readable from JavaScript (CSRF_COOKIE_HTTPONLY / CSRF_USE_SESSIONS).
    function csrf_token() {
      var token = read_cookie('csrftoken');
      if (token) return token;
      var field = doc.querySelector('input[name="csrfmiddlewaretoken"]');
      return field ? field.value : null;
    }

    function query_string(parameters) {
      var search = new win.URLSearchParams();
      Object.keys(parameters).forEach(function (key) {
        var value = parameters[key];
        if (value === undefined || value === null) return;
        (Array.isArray(value) ? value : [value]).forEach(function (v) { search.append(key, String(v)); });
      });
      return search.toString();
    }

    // Our API's error envelope is {"error": {"code", "message", "fields"}};
    // anything else (an HTML 502 page, say) gets a synthesized one.
    function error_from(status, body) {
      var error = body && typeof body === 'object' ? body.error : null;
      if (error && typeof error === 'object' && typeof error.message === 'string') {
        return Object.assign({ fields: {} }, error);
      }
      return { code: 'http_' + status, message: gettext('The request failed.') + ' (HTTP ' + status + ')', fields: {} };
    }

    // Resolves (never rejects, except when done/fail themselves throw) to
    // {ok, data, error, response}, after calling done or fail.
    az.call_api = function (options) {
      var method = String(options.method || 'GET').toUpperCase();
      var url = String(options.url);
      var headers = Object.assign({ Accept: 'application/json' }, options.headers);
      var init = { method: method, credentials: 'same-origin', headers: headers };
      var parameters = options.parameters;
      if (parameters !== undefined && parameters !== null) {
        if (method === 'GET' || method === 'HEAD') {
          var qs = query_string(parameters);
          if (qs) url += (url.indexOf('?') === -1 ? '?' : '&') + qs;
        } else {
          headers['Content-Type'] = 'application/json';
          init.body = JSON.stringify(parameters);
        }
      }
      if (!SAFE_METHODS[method]) {
        var token = csrf_token();
        if (token) headers['X-CSRFToken'] = token;
      }

      function failed(error, response) {
        if (typeof options.fail === 'function') options.fail(error, response);
        else az.show_error(error.message);
        return { ok: false, data: null, error: error, response: response };
      }

      var network_error = { code: 'network', message: gettext('Could not reach the server. Check your connection and try again.'), fields: {} };

      // Reading the body can fail like the request itself (connection cut
      // mid-body), so both count as network failures. done/fail run outside
      // this chain so their own exceptions are not reported as network errors.
      return win.fetch(url, init).then(function (response) {
        return response.text().then(function (text) {
          var body = null;
          var parsed = true;
          if (text) {
            try { body = JSON.parse(text); } catch (e) { parsed = false; body = text; }
          }
          return { response: response, body: body, parsed: parsed };
        });
      }).then(function (result) {
        var response = result.response;
        if (!response.ok) return failed(error_from(response.status, result.body), response);
        var type = response.headers.get('Content-Type') || '';
        if (!result.parsed && type.indexOf('json') !== -1) {
          return failed({ code: 'invalid_response', message: gettext('The server sent a response that could not be read.'), fields: {} }, response);
        }
        if (typeof options.done === 'function') options.done(result.body, response);
        return { ok: true, data: result.body, error: null, response: response };
      }, function () {
        return failed(network_error, null);
      });
    };

    return az;
  }

  if (typeof module !== 'undefined' && module.exports) {
    module.exports = { createAzle: createAzle };
  } else if (global && global.document) {
    global.az = createAzle(global);
  }
})(typeof window !== 'undefined' ? window : this);
