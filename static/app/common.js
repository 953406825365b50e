/*
 * common.js — what every section of the trainee page shares: the page's
 * settings, the names of species, measurements and opponents, number
 * formats, a per-section status line and the calls to the API.
 *
 * Settings come from the data attributes templates/home.html renders on
 * <div class="fp_app">: the user's, and the domain's lists (species,
 * measurements, opponents, scoreboard periods) as space-separated codes from
 * the Python constants, so no script keeps a copy of them.
 *
 * Page state, one style: each section module keeps one `state` object at
 * its top, every field commented; modules share data only through fp.*
 * functions (fp.load_ranges, the wrapped functions), never a global bag.
 *
 * Loaded after /jsi18n/ (gettext, interpolate) and azle.js (window.az).
 * Every user-facing string is a literal gettext('...') call so that
 * `makemessages -d djangojs` finds it.
 */
(function (global) {
  'use strict';

  var fp = global.fp = global.fp || {};
  var settings = az.select('fp_app', 1).dataset;
  function codes(list) { return list ? list.split(' ') : []; }

  fp.API = '/api/v1/';
  fp.config = {
    user_id: Number(settings.userId),
    user_name: settings.userName,
    logout_url: settings.logoutUrl,
    csrf_token: settings.csrfToken
  };
  fp.SPECIES = codes(settings.species);
  fp.FEATURES = codes(settings.features);
  fp.LEVELS = codes(settings.levels);
  fp.PERIODS = codes(settings.periods);

  // Each code's names: a species' full and short name (for buttons and
  // legends), a measurement's name and its mid-sentence form ("petal length
  // under 2.45 cm", translated on its own: lower-casing a translation is not
  // safe in every language), an opponent's name, a period's.
  function names() {
    return {
      setosa: [gettext('Iris setosa'), gettext('Setosa')],
      versicolor: [gettext('Iris versicolor'), gettext('Versicolor')],
      virginica: [gettext('Iris virginica'), gettext('Virginica')],
      sepal_length: [gettext('Sepal length'), gettext('sepal length')],
      sepal_width: [gettext('Sepal width'), gettext('sepal width')],
      petal_length: [gettext('Petal length'), gettext('petal length')],
      petal_width: [gettext('Petal width'), gettext('petal width')],
      // The options endpoint sends the opponents' names too; these serve
      // where only the code is known (the scoreboard's levels).
      apprentice: [gettext('Apprentice')],
      florist: [gettext('Florist')],
      botanist: [gettext('Botanist')],
      all: [gettext('All time')],
      '30d': [gettext('Last 30 days')],
      '7d': [gettext('Last 7 days')]
    };
  }
  function name_of(code, form) {
    var forms = Object.prototype.hasOwnProperty.call(names(), code) ? names()[code] : [];
    return forms[form] || String(code);
  }
  fp.species_name = function (species) { return name_of(species, 0); };
  fp.species_short = function (species) { return name_of(species, 1); };
  fp.feature_name = function (feature) { return name_of(feature, 0); };
  fp.feature_phrase = function (feature) { return name_of(feature, 1); };
  fp.level_name = function (level) { return name_of(level, 0); };
  fp.period_name = function (period) { return name_of(period, 0); };

  fp.language = function () {
    return (global.document && document.documentElement.lang) || undefined;
  };

  // A number in the page's language with at most `digits` decimals (2.45,
  // 0.8, 12), or exactly `digits` when `exact` (scores compared with each
  // other: 0.71, 0.70).
  function decimals(value, digits, exact) {
    if (value === null || value === undefined || isNaN(Number(value))) return '—';
    var d = digits === undefined ? 2 : digits;
    try {
      return Number(value).toLocaleString(fp.language(), { maximumFractionDigits: d, minimumFractionDigits: exact ? d : 0 });
    } catch (e) {  // an unknown language tag
      return exact ? Number(value).toFixed(d) : String(Number(Number(value).toFixed(d)));
    }
  }
  fp.number = function (value, digits) { return decimals(value, digits, false); };
  fp.fixed = function (value, digits) { return decimals(value, digits, true); };

  // 1st, 2nd, 3rd, 4th... Each plural category of ordinals is its own
  // string: a language with no ordinal suffixes translates all four alike.
  fp.ordinal = function (n) {
    var category = 'other';
    try {
      category = new Intl.PluralRules(fp.language() || 'en', { type: 'ordinal' }).select(n);
    } catch (e) { /* an unknown language tag: 'other' */ }
    var forms = {
      one: gettext('%(n)sst'),
      two: gettext('%(n)snd'),
      few: gettext('%(n)srd'),
      other: gettext('%(n)sth')
    };
    return interpolate(forms[category] || forms.other, { n: n }, true);
  };

  fp.cm = function (value) {
    return interpolate(gettext('%(value)s cm'), { value: Number(value).toFixed(1) }, true);
  };

  fp.percent = function (fraction) {
    if (fraction === null || fraction === undefined) return '—';
    return interpolate(gettext('%(value)s%'), { value: Math.round(Number(fraction) * 100) }, true);
  };

  fp.when = function (iso) {
    if (!iso) return '—';
    var date = new Date(iso);
    if (isNaN(date.getTime())) return '—';
    return date.toLocaleString(document.documentElement.lang || undefined, {
      month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit'
    });
  };

  // A per-section status line: kind is 'loading', 'error' or 'ok'. The
  // element is an aria-live region created by the section, so the text is
  // announced; errors also switch it to role=alert.
  fp.status = function (cls, text, kind) {
    var element = az.select(cls, 1);
    if (kind === 'error') element.setAttribute('role', 'alert');
    else element.removeAttribute('role');
    element.dataset.kind = kind || 'ok';
    return az.set_text(cls, 1, text || '');
  };

  // az.call_api with the error reported in the section's status line rather
  // than in the page-wide box (which may be scrolled out of sight).
  // options.handle(error, response) may take an error over (returning true),
  // e.g. a 409 the section explains in its own way.
  fp.api = function (options, status_cls) {
    return az.call_api(Object.assign({}, options, {
      fail: function (error, response) {
        if (typeof options.handle === 'function' && options.handle(error, response)) return;
        var message = error.message;
        if (response && (response.status === 401 || response.status === 403)) {
          message = gettext('Your session has ended. Reload the page to log in again.');
        }
        if (status_cls) fp.status(status_cls, message, 'error');
        else az.show_error(message);
        if (typeof options.fail === 'function') options.fail(error, response);
      }
    }));
  };

  // A random key per answer: a retried POST replays the first answer
  // instead of getting 409 (the API honours Idempotency-Key).
  fp.idempotency_key = function () {
    if (global.crypto && typeof global.crypto.randomUUID === 'function') return global.crypto.randomUUID();
    return String(Date.now()) + '-' + String(Math.random()).slice(2);
  };

  fp.reduced_motion = function () {
    return typeof global.matchMedia === 'function' &&
      global.matchMedia('(prefers-reduced-motion: reduce)').matches;
  };

  // Moves keyboard focus to an element that is not focusable by itself
  // (a heading, a result box), without scrolling it to the top.
  fp.focus = function (cls, instance) {
    var element = az.select(cls, instance || 1);
    if (!element.hasAttribute('tabindex') && !/^(BUTTON|INPUT|SELECT|A)$/.test(element.tagName)) {
      element.setAttribute('tabindex', '-1');
    }
    element.focus({ preventScroll: true });
    if (typeof element.scrollIntoView === 'function') {
      element.scrollIntoView({ block: 'nearest', behavior: fp.reduced_motion() ? 'auto' : 'smooth' });
    }
    return element;
  };

  // A flower drawn to scale (<prefix>_flower) and the chart of its
  // measurements (<prefix>_chart), morphing unless the reader asks for less motion.
  fp.show_flower = function (prefix, values) {
    var options = { animate: !fp.reduced_motion() };
    fp.flower.draw_flower(az.select(prefix + '_flower', 1), global.d3, values, options);
    fp.charts.measurement_bars(az.select(prefix + '_chart', 1), global.d3, values, options);
  };

  // A section's h2 (its id labels the section) and its introduction.
  fp.add_heading = function (section, prefix, title, intro) {
    az.add_text(section, 1, {
      this_class: prefix + '_title', tag: 'h2', text: title, attributes: { id: prefix + '_title' }
    });
    az.add_text(section, 1, { this_class: prefix + '_intro', tag: 'p', text: intro });
  };

  // A figure with a caption around a D3 visual of fixed aspect ratio.
  fp.add_figure = function (target_cls, target_instance, cls, caption, draw) {
    az.add_element(target_cls, target_instance, { this_class: cls + '_figure', tag: 'figure' });
    az.add_visual(cls + '_figure', 1, { this_class: cls, draw: draw });
    az.add_text(cls + '_figure', 1, { this_class: cls + '_caption', tag: 'figcaption', text: caption });
  };
})(window);
