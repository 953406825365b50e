/*
 * progress.js — the "My progress" section, from GET me/progress/: your
 * accuracy in each finished challenge against the AI's (a D3 line chart),
 * how well you know each species (challenge and practice answers), which
 * species you mix up, and where you stand on the scoreboard. Reloaded after
 * every finished challenge and practice answer.
 */
(function (global) {
  'use strict';

  var state = {
    progress: null,  // the last GET me/progress/ shown
    request: 0       // the latest refresh's number: only its answer is shown
  };

  /* ---------------------------------------------------------------
   * Pure logic (exported as fp.progress for the node tests)
   * ------------------------------------------------------------- */

  // "You mistook Iris virginica for Iris versicolor 3 times."
  function confusion_sentence(c) {
    return interpolate(ngettext(
      'You mistook %(species)s for %(guess)s %(count)s time.',
      'You mistook %(species)s for %(guess)s %(count)s times.', c.count
    ), { species: fp.species_name(c.species), guess: fp.species_name(c.mistaken_for), count: c.count }, true);
  }

  // The mix-ups worth reading: non-zero, most first, at most `limit`.
  function top_confusions(confusions, limit) {
    return (confusions || []).filter(function (c) { return c.count > 0 && c.species !== c.mistaken_for; })
      .slice().sort(function (a, b) { return b.count - a.count; })
      .slice(0, limit || 5);
  }

  // "You are 2nd of 5; 0.04 behind Bob." / "Play 6 more rounds to be ranked."
  function rank_sentence(rank) {
    if (!rank) return '';
    if (rank.rank === null || rank.rank === undefined) {
      if (rank.rounds_to_rank > 0) {
        return interpolate(ngettext(
          'Play %(n)s more challenge round to be ranked.',
          'Play %(n)s more challenge rounds to be ranked.', rank.rounds_to_rank
        ), { n: rank.rounds_to_rank }, true);
      }
      return gettext('You are not ranked yet.');
    }
    var place = interpolate(gettext('You are %(rank)s of %(count)s'), {
      rank: fp.ordinal(rank.rank), count: rank.ranked_count
    }, true);
    if (!rank.next) return interpolate(gettext('%(place)s: nobody is ahead of you.'), { place: place }, true);
    return interpolate(gettext('%(place)s; %(gap)s behind %(name)s.'), {
      place: place, gap: fp.fixed(rank.next.gap, 2), name: rank.next.display_name
    }, true);
  }

  // "Your score is 0.62 over 40 rounds (...)", once ranked: before that the
  // score ranks nothing.
  function score_sentence(rank) {
    if (!rank || rank.rank === null || rank.rank === undefined || rank.score === null || rank.score === undefined) return '';
    return interpolate(ngettext(
      'Your score is %(score)s over %(rounds)s round: a cautious accuracy that grows as you play more.',
      'Your score is %(score)s over %(rounds)s rounds: a cautious accuracy that grows as you play more.', rank.rounds
    ), { score: fp.fixed(rank.score, 2), rounds: rank.rounds }, true);
  }

  // Mastery rows in species order, with the share right (null: no answer yet).
  function mastery_rows(mastery) {
    var by = {};
    (mastery || []).forEach(function (m) { by[m.species] = m; });
    return fp.SPECIES.map(function (s) {
      var m = by[s] || { species: s, answered: 0, correct: 0, accuracy: null };
      var accuracy = m.accuracy;
      if ((accuracy === null || accuracy === undefined) && m.answered) accuracy = m.correct / m.answered;
      return { species: s, answered: m.answered || 0, correct: m.correct || 0, accuracy: m.answered ? accuracy : null };
    });
  }

  // One line under the chart: how the last challenge compares with the first.
  function history_summary(history) {
    var h = (history || []).filter(function (x) { return x.accuracy !== null && x.accuracy !== undefined; });
    if (!h.length) return gettext('Play a challenge to see your accuracy here.');
    var wins = (history || []).filter(function (x) { return x.outcome === 'win'; }).length;
    var first = h[0], last = h[h.length - 1];
    if (h.length === 1) {
      return interpolate(gettext('One challenge so far: you got %(you)s right, the AI %(ai)s.'), {
        you: fp.percent(last.accuracy), ai: fp.percent(last.ai_accuracy)
      }, true);
    }
    return interpolate(ngettext(
      'Over your last %(n)s challenges you went from %(first)s to %(last)s right, and won %(wins)s of them.',
      'Over your last %(n)s challenges you went from %(first)s to %(last)s right, and won %(wins)s of them.', h.length
    ), { n: h.length, first: fp.percent(first.accuracy), last: fp.percent(last.accuracy), wins: wins }, true);
  }

  /* ---------------------------------------------------------------
   * Building and rendering
   * ------------------------------------------------------------- */

  function build(section, title) {
    fp.add_heading(section, 'progress', title,
      gettext('How you are doing: against the AI, species by species, and on the scoreboard.'));
    az.add_text(section, 1, {
      this_class: 'progress_status', tag: 'p', attributes: { 'aria-live': 'polite' }
    });
    // Announced when it changes, after a challenge ends.
    az.add_element(section, 1, {
      this_class: 'progress_rank_box', tag: 'div', attributes: { 'aria-live': 'polite' }
    });
    az.add_text('progress_rank_box', 1, { this_class: 'progress_rank', tag: 'p', text: '' });
    az.add_text('progress_rank_box', 1, { this_class: 'progress_score', tag: 'p', text: '' });

    az.add_layout(section, 1, {
      this_class: 'progress_grid', number_of_rows: 1, number_of_columns: 2,
      column_widths: ['repeat(auto-fit, minmax(min(100%, 320px), 1fr))']
    });
    az.add_element('progress_grid_cells', 1, { this_class: 'progress_history', tag: 'div' });
    az.add_text('progress_history', 1, { this_class: 'progress_subtitle', tag: 'h3', text: gettext('You and the AI, challenge by challenge') });
    fp.add_figure('progress_history', 1, 'progress_chart', gettext('Share of rounds right in each challenge: yours and the AI’s.'), function (el, d3) {
      fp.charts.progress_chart(el, d3, null, { id: 'progress_chart' });
    });
    az.add_text('progress_history', 1, { this_class: 'progress_history_summary', tag: 'p', text: '' });

    az.add_element('progress_grid_cells', 2, { this_class: 'progress_species', tag: 'div' });
    az.add_text('progress_species', 1, { this_class: 'progress_subtitle', tag: 'h3', text: gettext('Species by species') });
    az.add_element('progress_species', 1, { this_class: 'mastery_table', tag: 'table' });
    az.add_text('mastery_table', 1, {
      this_class: 'mastery_caption', tag: 'caption',
      text: gettext('Your answers in challenges and practice, by the flower’s true species')
    });
    az.add_element('mastery_table', 1, { this_class: 'mastery_head', tag: 'thead' });
    az.add_element('mastery_head', 1, { this_class: 'mastery_head_row', tag: 'tr' });
    [gettext('Species'), gettext('Answers'), gettext('Right')].forEach(function (text) {
      az.add_element('mastery_head_row', 1, { this_class: 'mastery_th', tag: 'th', text: text, attributes: { scope: 'col' } });
    });
    az.add_element('mastery_table', 1, { this_class: 'mastery_body', tag: 'tbody' });
    az.add_text('progress_species', 1, { this_class: 'confusions_title', tag: 'h4', text: gettext('Mix-ups') });
    az.add_element('progress_species', 1, { this_class: 'confusions', tag: 'ul' });
  }

  function render_mastery(mastery) {
    az.clear('mastery_body', 1);
    mastery_rows(mastery).forEach(function (m, i) {
      az.add_element('mastery_body', 1, {
        this_class: 'mastery_row', tag: 'tr', attributes: { 'data-species': m.species }
      });
      az.add_element('mastery_row', i + 1, {
        this_class: 'mastery_cell', tag: 'th', text: fp.species_name(m.species), attributes: { scope: 'row' }
      });
      az.add_element('mastery_row', i + 1, {
        this_class: 'mastery_cell', tag: 'td', text: String(m.answered), attributes: { 'data-column': 'answered' }
      });
      az.add_element('mastery_row', i + 1, {
        this_class: 'mastery_accuracy', tag: 'td', attributes: { 'data-column': 'accuracy' }
      });
      az.add_text('mastery_accuracy', i + 1, {
        this_class: 'mastery_value', tag: 'span',
        text: m.accuracy === null ? '—' : interpolate(gettext('%(percent)s (%(correct)s of %(answered)s)'), {
          percent: fp.percent(m.accuracy), correct: m.correct, answered: m.answered
        }, true)
      });
      // A bar under the percentage; the text carries the meaning.
      az.add_element('mastery_accuracy', i + 1, {
        this_class: 'mastery_track', tag: 'span', attributes: { 'aria-hidden': 'true' }
      });
      az.add_element('mastery_track', i + 1, { this_class: 'mastery_bar', tag: 'span' });
      az.style('mastery_bar', i + 1, { width: (m.accuracy === null ? 0 : Math.round(m.accuracy * 100)) + '%' });
    });
  }

  function render_confusions(progress) {
    az.clear('confusions', 1);
    var answered = mastery_rows(progress.mastery).reduce(function (n, m) { return n + m.answered; }, 0);
    var shown = top_confusions(progress.confusions, 5);
    if (!shown.length) {
      az.add_text('confusions', 1, {
        this_class: 'confusion_none', tag: 'li',
        text: answered ? gettext('No mix-ups yet: every answer so far was right.') : gettext('No answers yet.')
      });
      return;
    }
    shown.forEach(function (c) {
      az.add_text('confusions', 1, {
        this_class: 'confusion', tag: 'li', text: confusion_sentence(c),
        attributes: { 'data-species': c.species, 'data-mistaken-for': c.mistaken_for }
      });
    });
  }

  function render(progress) {
    state.progress = progress;
    fp.status('progress_status', '', 'ok');
    var history = progress.history || [];
    fp.charts.progress_chart(az.select('progress_chart', 1), global.d3, history, {
      id: 'progress_chart', empty: gettext('No finished challenge yet.')
    });
    az.set_text('progress_history_summary', 1, history_summary(history));
    az.set_text('progress_rank', 1, rank_sentence(progress.rank));
    az.set_text('progress_score', 1, score_sentence(progress.rank));
    render_mastery(progress.mastery);
    render_confusions(progress);
    az.call_wrapped_function.show_practice_weights(progress.practice);
  }

  // Two refreshes can overlap: only the latest one's answer is shown.
  function refresh() {
    var mine = state.request += 1;
    if (!state.progress) fp.status('progress_status', gettext('Loading…'), 'loading');
    return fp.api({
      url: fp.API + 'me/progress/',
      done: function (progress) { if (mine === state.request) render(progress); }
    }, 'progress_status');
  }

  fp.progress = {
    confusion_sentence: confusion_sentence,
    top_confusions: top_confusions,
    rank_sentence: rank_sentence,
    score_sentence: score_sentence,
    mastery_rows: mastery_rows,
    history_summary: history_summary
  };

  az.add_wrapped_function({
    name: 'build_progress',
    function: function (section, title) {
      build(section, title);
      refresh();
    }
  });

  // After a finished challenge and after each practice answer.
  az.add_wrapped_function({ name: 'refresh_progress', function: refresh });
})(window);
