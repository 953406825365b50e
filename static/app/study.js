/*
 * study.js — the Training section's "Study a flower" card: a labelled
 * flower of the species asked for (GET flowers/random/): its species, its
 * measurements, the flower drawn to scale and, when a manager uploaded one,
 * the project's photo of the species with its attribution.
 */
(function () {
  'use strict';

  var state = {
    photo: null  // the photo's <img> being shown: a late error from an older one is ignored
  };

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
    // The picture pane: the species photo (the project's own, when a manager
    // uploaded one) beside the drawing; without one, the drawing alone.
    az.add_element('study_grid_cells', 1, { this_class: 'picture_pane', tag: 'div' });
    az.add_element('picture_pane', 1, { this_class: 'photo_figure', tag: 'figure' });
    az.add_element('photo_figure', 1, { this_class: 'photo_box', tag: 'div' });
    az.add_text('photo_figure', 1, { this_class: 'photo_caption', tag: 'figcaption', text: '' });
    az.add_text('photo_figure', 1, { this_class: 'photo_attribution', tag: 'small', text: '' });
    az.select('picture_pane', 1).classList.add('no_photo');
    fp.add_figure('picture_pane', 1, 'study_flower', gettext('This flower, drawn to scale'), function (el, d3) {
      fp.flower.draw_flower(el, d3, null, { placeholder: '' });
    });
    fp.add_figure('study_grid_cells', 2, 'study_chart', gettext('Its measurements, in cm'), function (el, d3) {
      fp.charts.measurement_bars(el, d3, null, { placeholder: gettext('No flower yet') });
    });
  }

  // url: the project's photo of the species, or null (none uploaded): then
  // no <img> at all, so nothing can show broken and no request leaves.
  function show_photo(url, attribution, species) {
    var pane = az.select('picture_pane', 1);
    az.clear('photo_box', 1);
    state.photo = null;
    pane.classList.remove('photo_failed', 'photo_loading');
    pane.classList.toggle('no_photo', !url);
    az.set_text('photo_attribution', 1, '');
    if (!url) {
      az.set_text('photo_caption', 1, '');
      return;
    }
    pane.classList.add('photo_loading');
    az.set_text('photo_caption', 1, interpolate(gettext('Photo of %(species)s'), { species: fp.species_name(species) }, true));
    if (attribution) {
      az.set_text('photo_attribution', 1, interpolate(gettext('Photo: %(attribution)s'), { attribution: attribution }, true));
    }
    var image = az.add_image('photo_box', 1, {
      this_class: 'study_photo',
      image_path: url,
      alt: interpolate(gettext('A typical %(species)s (not this very flower)'), { species: fp.species_name(species) }, true),
      width: 320, height: 320,
      fallback: function (img) {
        // A slow error from an earlier flower's photo must not hide this one.
        if (state.photo !== img) return;
        img.remove();
        pane.classList.remove('photo_loading');
        pane.classList.add('photo_failed');
      }
    });
    state.photo = image;
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
        fp.show_flower('study', flower.data.values);
        show_photo(flower.url || null, flower.photo_attribution || null, flower.name);
      }
    }, 'study_status').then(function () {
      az.set_disabled('show_iris', 1, false);
      az.select('study_grid', 1).classList.remove('is_loading');
    });
  }

  // Called by training.js, which places the card first.
  az.add_wrapped_function({ name: 'build_study', function: build_study });
})();
