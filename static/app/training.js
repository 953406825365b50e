/*
 * training.js — the Training section: study a labelled flower (its species,
 * the species' photo or, offline, the drawing alone, its measurements and
 * the flower drawn to scale), then practise: guess first, then see the
 * answer, the AI's guess and your streak.
 */
(function () {
  'use strict';

  function animate() { return !fp.reduced_motion(); }

  /* ---------------------------------------------------------------
   * Study a flower
   * ------------------------------------------------------------- */

  function build_study(section) {
    az.add_element(section, 1, { this_class: 'study_card', tag: 'div' });
    az.add_text('study_card', 1, { this_class: 'study_title', tag: 'h3', text: gettext('Study a flower') });

    az.add_element('study_card', 1, { this_class: 'study_controls', tag: 'div' });
    az.add_dropdown('study_controls', 1, {
      this_class: 'study_species',
      label: gettext('Species'),
      options: [{ value: '', label: gettext('Any species') }].concat(fp.SPECIES.map(function (s) {
        return { value: s, label: fp.species_name(s) };
      }))
    });
    az.add_button('study_controls', 1, { this_class: 'show_iris', text: gettext('Show iris') });
    az.add_event('show_iris', 1, { type: 'click', function: show_iris });

    az.add_text('study_card', 1, {
      this_class: 'study_status', tag: 'p', attributes: { 'aria-live': 'polite' }
    });
    // The species is the point of studying: announce it.
    az.add_text('study_card', 1, {
      this_class: 'study_name', tag: 'p', text: gettext('Press “Show iris” to study a flower.'),
      attributes: { 'aria-live': 'polite' }
    });

    az.add_layout('study_card', 1, {
      this_class: 'study_grid', number_of_rows: 1, number_of_columns: 2,
      column_widths: ['repeat(auto-fit, minmax(min(100%, 300px), 1fr))']
    });
    // The picture pane: the species photo beside the drawing; when the photo
    // cannot load (no internet) the drawing takes the pane on its own.
    az.add_element('study_grid_cells', 1, { this_class: 'picture_pane', tag: 'div' });
    az.add_element('picture_pane', 1, { this_class: 'photo_figure', tag: 'figure' });
    az.add_element('photo_figure', 1, { this_class: 'photo_box', tag: 'div' });
    az.add_text('photo_figure', 1, { this_class: 'photo_caption', tag: 'figcaption', text: gettext('Photo of the species') });
    fp.add_figure('picture_pane', 1, 'study_flower', gettext('This flower, drawn to scale'), function (el, d3) {
      fp.flower.draw_flower(el, d3, null, { placeholder: '' });
    });
    fp.add_figure('study_grid_cells', 2, 'study_chart', gettext('Its measurements, in cm'), function (el, d3) {
      fp.charts.measurement_bars(el, d3, null, { placeholder: gettext('No flower yet') });
    });
  }

  function show_photo(url, species) {
    var pane = az.select('picture_pane', 1);
    az.clear('photo_box', 1);
    pane.classList.remove('photo_failed');
    pane.classList.add('photo_loading');
    az.set_text('photo_caption', 1, interpolate(gettext('Photo of %(species)s'), { species: fp.species_name(species) }, true));
    az.set_text('study_flower_caption', 1, gettext('This flower, drawn to scale'));
    var image = az.add_image('photo_box', 1, {
      this_class: 'study_photo',
      image_path: url,
      alt: interpolate(gettext('A typical %(species)s (not this very flower)'), { species: fp.species_name(species) }, true),
      width: 320, height: 320,
      fallback: function (img) {
        // A slow error from an earlier flower's photo must not hide this one.
        if (az.hold_value.study_photo !== img) return;
        img.remove();
        pane.classList.remove('photo_loading');
        pane.classList.add('photo_failed');
        az.set_text('study_flower_caption', 1, gettext('No photo available offline: this drawing of the flower, to scale, stands in for it.'));
      }
    });
    az.hold_value.study_photo = image;
    image.addEventListener('load', function () { pane.classList.remove('photo_loading'); }, { once: true });
  }

  function show_iris() {
    var species = az.grab_value('study_species', 1);
    az.set_disabled('show_iris', 1, true);
    az.select('study_grid', 1).classList.add('is_loading');
    fp.status('study_status', gettext('Fetching a flower…'), 'loading');
    fp.api({
      url: fp.API + 'flowers/random/',
      parameters: species ? { species: species } : {},
      done: function (flower) {
        fp.status('study_status', '', 'ok');
        az.set_text('study_name', 1, fp.species_name(flower.name));
        az.select('study_name', 1).dataset.species = flower.name;
        fp.flower.draw_flower(az.select('study_flower', 1), window.d3, flower.data.values, { animate: animate() });
        fp.charts.measurement_bars(az.select('study_chart', 1), window.d3, flower.data.values, { animate: animate() });
        show_photo(flower.url, flower.name);
      }
    }, 'study_status').then(function () {
      az.set_disabled('show_iris', 1, false);
      az.select('study_grid', 1).classList.remove('is_loading');
    });
  }

  /* ---------------------------------------------------------------
   * Practice
   * ------------------------------------------------------------- */

  function build_practice(section) {
    az.add_element(section, 1, { this_class: 'practice_card', tag: 'div' });
    az.add_text('practice_card', 1, { this_class: 'practice_title', tag: 'h3', text: gettext('Practice') });
    az.add_text('practice_card', 1, {
      this_class: 'practice_intro', tag: 'p',
      text: gettext('A flower without its name: guess the species, then see the answer and what the AI said.')
    });
    az.add_element('practice_card', 1, { this_class: 'practice_controls', tag: 'div' });
    az.add_button('practice_controls', 1, { this_class: 'practice_new', text: gettext('New practice flower') });
    az.add_event('practice_new', 1, { type: 'click', function: new_practice });
    az.add_text('practice_controls', 1, {
      this_class: 'practice_streak', tag: 'p', text: interpolate(gettext('Streak: %(n)s'), { n: 0 }, true)
    });
    az.add_text('practice_card', 1, {
      this_class: 'practice_status', tag: 'p', attributes: { 'aria-live': 'polite' }
    });

    az.add_layout('practice_card', 1, {
      this_class: 'practice_grid', number_of_rows: 1, number_of_columns: 2,
      column_widths: ['repeat(auto-fit, minmax(min(100%, 260px), 1fr))']
    });
    fp.add_figure('practice_grid_cells', 1, 'practice_flower', gettext('The flower, drawn to scale'), function (el, d3) {
      fp.flower.draw_flower(el, d3, null, { placeholder: gettext('No flower yet') });
    });
    fp.add_figure('practice_grid_cells', 2, 'practice_chart', gettext('Its measurements, in cm'), function (el, d3) {
      fp.charts.measurement_bars(el, d3, null, { placeholder: gettext('No flower yet') });
    });

    fp.add_guess_buttons('practice_card', 'practice_guess', answer_practice);
    az.add_element('practice_card', 1, {
      this_class: 'practice_result', tag: 'div', attributes: { 'aria-live': 'polite' }
    });
    az.add_text('practice_result', 1, { this_class: 'practice_verdict', tag: 'p', text: gettext('Your result will appear here.') });
    az.add_text('practice_result', 1, { this_class: 'practice_ai', tag: 'p', text: '' });
  }

  function new_practice() {
    az.set_disabled('practice_new', 1, true);
    fp.set_guess_buttons('practice_guess', false);
    az.select('practice_grid', 1).classList.add('is_loading');
    fp.status('practice_status', gettext('Fetching a flower…'), 'loading');
    fp.api({
      url: fp.API + 'practice/', method: 'POST',
      done: function (attempt) {
        az.hold_value.practice = attempt;
        fp.status('practice_status', gettext('Which species is it?'), 'ok');
        az.select('practice_result', 1).dataset.outcome = '';
        az.set_text('practice_verdict', 1, gettext('Your result will appear here.'));
        az.set_text('practice_ai', 1, '');
        fp.flower.draw_flower(az.select('practice_flower', 1), window.d3, attempt.data.values, { animate: animate() });
        fp.charts.measurement_bars(az.select('practice_chart', 1), window.d3, attempt.data.values, { animate: animate() });
        fp.set_guess_buttons('practice_guess', true);
        az.select('practice_guess', 1).focus();
      }
    }, 'practice_status').then(function () {
      az.set_disabled('practice_new', 1, false);
      az.select('practice_grid', 1).classList.remove('is_loading');
    });
  }

  function answer_practice(species) {
    var attempt = az.hold_value.practice;
    if (!attempt) return;
    az.hold_value.practice = null;
    fp.set_guess_buttons('practice_guess', false);
    fp.status('practice_status', gettext('Checking…'), 'loading');
    fp.api({
      url: fp.API + 'practice/' + attempt.id + '/answer/', method: 'POST',
      parameters: { guess: species },
      done: function (result) {
        fp.status('practice_status', '', 'ok');
        fp.set_guess_buttons('practice_guess', false, result.guess, result.correct_species);
        az.select('practice_result', 1).dataset.outcome = result.correct ? 'right' : 'wrong';
        az.set_text('practice_verdict', 1, fp.verdict_sentence(result));
        az.set_text('practice_ai', 1, fp.ai_sentence(result));
        az.set_text('practice_streak', 1, interpolate(gettext('Streak: %(n)s'), { n: result.streak }, true));
        az.set_text('practice_new', 1, gettext('Next practice flower'));
        // The guess buttons are now disabled: continue from the next step.
        az.select('practice_new', 1).focus();
      },
      fail: function () {
        // Let the trainee try the same flower again.
        az.hold_value.practice = attempt;
        fp.set_guess_buttons('practice_guess', true);
      }
    }, 'practice_status');
  }

  az.add_wrapped_function({
    name: 'build_training',
    function: function (section) {
      az.add_text(section, 1, {
        this_class: 'training_title', tag: 'h2', text: gettext('Training'),
        attributes: { id: 'training_title' }
      });
      az.add_text(section, 1, {
        this_class: 'training_intro', tag: 'p',
        text: gettext('An iris has three large sepals and three smaller petals. Their lengths and widths tell the species apart: study some flowers, then practise.')
      });
      build_study(section);
      build_practice(section);
    }
  });
})();
