/*
 * main.js — builds the trainee page: the banner, then one section per
 * script. Loaded last; every other script only registers its wrapped
 * functions (common.js has read the page's settings already).
 */
(function () {
  'use strict';

  var sections = [
    { cls: 'training_section', title: gettext('Training'), build: 'build_training' },
    { cls: 'challenge_section', title: gettext('Challenge'), build: 'build_challenge' },
    { cls: 'progress_section', title: gettext('My progress'), build: 'build_progress' },
    { cls: 'scoreboard_section', title: gettext('Scoreboard'), build: 'build_scoreboard' }
  ];

  az.clear('fp_app', 1);
  az.call_wrapped_function.build_banner(sections);
  sections.forEach(function (section) {
    az.add_sections({
      this_class: section.cls, sections: 1, target_class: 'fp_app', target_instance: 1,
      attributes: { 'aria-labelledby': section.cls.replace('_section', '_title'), 'data-section': '' }
    });
    az.call_wrapped_function[section.build](section.cls, section.title);
  });
})();
