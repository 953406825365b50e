/*
 * common.js — what every section of the trainee page shares: the page's
 * settings (read from data attributes the template renders), species and
 * measurement names, number formats and a per-section status line.
 *
 * Loaded after /jsi18n/ (gettext, interpolate) and azle.js (window.az).
 * Every user-facing string is a literal gettext('...') call so that
 * `makemessages -d djangojs` finds it.
 */
(function (global) {
  'use strict';

  var fp = global.fp = global.fp || {};
  var SPECIES = ['setosa', 'versicolor', 'virginica'];
  var FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

  fp.API = '/api/v1/';
  fp.SPECIES = SPECIES;
  fp.FEATURES = FEATURES;

  // Read once by main.js from <div class="fp_app" data-...>.
  fp.config = {};

  fp.species_name = function (species) {
    var names = {
      setosa: gettext('Iris setosa'),
      versicolor: gettext('Iris versicolor'),
      virginica: gettext('Iris virginica')
    };
    return names[species] || String(species);
  };

  // The short form, for buttons and legends.
  fp.species_short = function (species) {
    var names = {
      setosa: gettext('Setosa'),
      versicolor: gettext('Versicolor'),
      virginica: gettext('Virginica')
    };
    return names[species] || String(species);
  };

  fp.feature_name = function (feature) {
    var names = {
      sepal_length: gettext('Sepal length'),
      sepal_width: gettext('Sepal width'),
      petal_length: gettext('Petal length'),
      petal_width: gettext('Petal width')
    };
    return names[feature] || String(feature);
  };

  // Mid-sentence forms ("petal length under 2.45 cm"), translated on their own:
  // lower-casing a translation is not safe in every language.
  fp.feature_phrase = function (feature) {
    var names = {
      sepal_length: gettext('sepal length'),
      sepal_width: gettext('sepal width'),
      petal_length: gettext('petal length'),
      petal_width: gettext('petal width')
    };
    return names[feature] || String(feature);
  };

  // The AI opponents. The options endpoint sends translated names too; these
  // serve where only the code is known (the scoreboard's levels).
  fp.LEVELS = ['apprentice', 'florist', 'botanist'];
  fp.level_name = function (level) {
    var names = {
      apprentice: gettext('Apprentice'),
      florist: gettext('Florist'),
      botanist: gettext('Botanist')
    };
    return names[level] || String(level);
  };

  fp.language = function () {
    return (global.document && document.documentElement.lang) || undefined;
  };

  // A number in the page's language, with at most `digits` decimals
  // (2.45, 0.8, 12).
  fp.number = function (value, digits) {
    if (value === null || value === undefined || isNaN(Number(value))) return '—';
    var d = digits === undefined ? 2 : digits;
    try {
      return Number(value).toLocaleString(fp.language(), { maximumFractionDigits: d, minimumFractionDigits: 0 });
    } catch (e) {
      return String(Math.round(Number(value) * Math.pow(10, d)) / Math.pow(10, d));
    }
  };

  // Exactly `digits` decimals: scores that are compared with each other (0.71, 0.70).
  fp.fixed = function (value, digits) {
    if (value === null || value === undefined || isNaN(Number(value))) return '—';
    var d = digits === undefined ? 2 : digits;
    try {
      return Number(value).toLocaleString(fp.language(), { maximumFractionDigits: d, minimumFractionDigits: d });
    } catch (e) {
      return Number(value).toFixed(d);
    }
  };

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

  // Three species buttons in a labelled group; on_guess(species) on click.
  fp.add_guess_buttons = function (target_cls, cls, on_guess) {
    az.add_element(target_cls, 1, {
      this_class: cls + '_group', tag: 'div',
      attributes: { role: 'group', 'aria-label': gettext('Your guess') }
    });
    SPECIES.forEach(function (species, i) {
      az.add_button(cls + '_group', 1, {
        this_class: cls, text: fp.species_short(species), disabled: true,
        attributes: { 'data-species': species }
      });
      az.add_event(cls, i + 1, { type: 'click', function: function () { on_guess(species); } });
    });
  };

  // enabled: ready for a guess. After an answer, pass the guess and the
  // correct species to mark both (the buttons stay disabled).
  fp.set_guess_buttons = function (cls, enabled, guess, correct_species) {
    SPECIES.forEach(function (species, i) {
      var button = az.set_disabled(cls, i + 1, !enabled);
      button.classList.toggle('is_chosen', !enabled && species === guess);
      button.classList.toggle('is_correct', !enabled && species === correct_species);
      button.classList.toggle('is_wrong', !enabled && species === guess && guess !== correct_species);
      if (!enabled && guess) button.setAttribute('aria-pressed', String(species === guess));
      else button.removeAttribute('aria-pressed');
    });
  };

  // "The AI said Iris virginica (87% sure): right."
  fp.ai_sentence = function (result) {
    if (!result.ai_guess) return gettext('The AI has no model yet, so it sat this one out.');
    var args = { species: fp.species_name(result.ai_guess), confidence: fp.percent(result.ai_confidence) };
    return result.ai_correct
      ? interpolate(gettext('The AI said %(species)s (%(confidence)s sure): right.'), args, true)
      : interpolate(gettext('The AI said %(species)s (%(confidence)s sure): wrong.'), args, true);
  };

  fp.verdict_sentence = function (result) {
    var args = { species: fp.species_name(result.correct_species), guess: fp.species_name(result.guess) };
    return result.correct
      ? interpolate(gettext('Right: it is %(species)s.'), args, true)
      : interpolate(gettext('Not this time: it is %(species)s, not %(guess)s.'), args, true);
  };

  // The training split's per-species ranges (GET flowers/ranges/), loaded
  // once for the page and shared by every section.
  var ranges_request = null;
  fp.load_ranges = function (status_cls) {
    if (az.hold_value.ranges) return Promise.resolve(az.hold_value.ranges);
    if (!ranges_request) {
      ranges_request = fp.api({
        url: fp.API + 'flowers/ranges/',
        done: function (ranges) { az.hold_value.ranges = ranges; }
      }, status_cls).then(function () {
        ranges_request = null;
        return az.hold_value.ranges || null;
      });
    }
    return ranges_request;
  };

  // The "why" after an answer (the challenge's reveal, practice): where each
  // of the flower's measurements falls in each species' range, as a chart
  // (<prefix>_ranges) and as sentences (<prefix>_reasons).
  fp.add_why = function (target_cls, target_instance, prefix) {
    fp.add_figure(target_cls, target_instance, prefix + '_ranges',
      gettext('Why: each species’ range of every measurement among the training flowers, and where this flower falls.'),
      function (el, d3) { fp.charts.range_strips(el, d3, null, null, {}); });
    var list = az.add_element(target_cls, target_instance, { this_class: prefix + '_reasons', tag: 'ul' });
    list.classList.add('why_reasons');
    return list;
  };

  // values null clears it (waiting for an answer).
  fp.show_why = function (prefix, ranges, values) {
    var placement = fp.charts.range_strips(az.select(prefix + '_ranges', 1), global.d3, ranges || null, values || null, {
      animate: !fp.reduced_motion()
    });
    az.clear(prefix + '_reasons', 1);
    placement.features.forEach(function (feature) {
      var item = az.add_text(prefix + '_reasons', 1, {
        this_class: prefix + '_reason', tag: 'li', text: fp.charts.placement_sentence(feature)
      });
      item.classList.add('why_reason');
    });
    return placement;
  };

  // A figure with a caption around a D3 visual of fixed aspect ratio.
  fp.add_figure = function (target_cls, target_instance, cls, caption, draw) {
    az.add_element(target_cls, target_instance, { this_class: cls + '_figure', tag: 'figure' });
    az.add_visual(cls + '_figure', 1, { this_class: cls, draw: draw });
    az.add_text(cls + '_figure', 1, { this_class: cls + '_caption', tag: 'figcaption', text: caption });
  };
})(window);
