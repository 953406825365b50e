/*
 * challenge_words.js — the Challenge section's words: the opponents'
 * labels, the score, how a challenge ended and each round in the summary;
 * and where a challenge left open continues. Pure, exported as fp.challenge
 * for the node tests and for challenge.js and challenge_view.js.
 */
(function () {
  'use strict';

  // "Looks only at the sepals." -> "looks only at the sepals", to sit inside
  // a sentence. Only a capital followed by a small letter is lowered, so a
  // leading acronym ("AI ...") and scripts without case are left alone.
  function description_phrase(description) {
    var text = String(description || '').trim().replace(/[.。]\s*$/, '');
    if (/^[A-Z][a-z]/.test(text)) text = text.charAt(0).toLowerCase() + text.slice(1);
    return text;
  }

  // "Apprentice — looks only at the sepals — right 77% of the time on the test flowers"
  function level_label(level) {
    var parts = [level.name || fp.level_name(level.level)];
    var description = description_phrase(level.description);
    if (description) parts.push(description);
    if (!level.available) {
      parts.push(gettext('not trained yet'));
    } else if (level.accuracy === null || level.accuracy === undefined) {
      parts.push(gettext('accuracy not measured yet'));
    } else {
      parts.push(interpolate(gettext('right %(percent)s of the time on the test flowers'), {
        percent: fp.percent(level.accuracy)
      }, true));
    }
    return parts.join(' — ');
  }

  // The level selected at first: the server's default when it can be
  // played, else the first that can; null when none can.
  function initial_level(options) {
    var levels = (options && options.levels) || [];
    var playable = levels.filter(function (l) { return l.available; });
    var preferred = playable.filter(function (l) { return l.level === options.default_level; })[0];
    return (preferred || playable[0] || { level: null }).level;
  }

  // Where a challenge continues: the position (0-based, in session.rounds)
  // of the first unanswered round; -1 when every round is answered.
  function resume_position(session) {
    var rounds = (session && session.rounds) || [];
    for (var i = 0; i < rounds.length; i += 1) {
      if (!rounds[i].answered) return i;
    }
    return -1;
  }

  // Round index -> result, for the rounds a session detail says are answered.
  function results_from_session(session) {
    var results = {};
    ((session && session.rounds) || []).forEach(function (r) {
      if (r.answered && r.result) results[r.index] = Object.assign({ round: r.index }, r.result);
    });
    return results;
  }

  function score_text(score) {
    return interpolate(gettext('You %(you)s · AI %(ai)s'), { you: score.trainee, ai: score.ai }, true);
  }

  function outcome_text(outcome, status) {
    if (status === 'abandoned') return gettext('You gave up: it counts as a loss.');
    if (outcome === 'win') return gettext('You beat the AI!');
    if (outcome === 'draw') return gettext('A draw: you matched the AI.');
    if (outcome === 'loss') return gettext('The AI won this time.');
    return gettext('The challenge is over.');
  }

  function round_summary(r) {
    var args = { species: fp.species_name(r.correct_species) };
    if (r.correct && r.ai_correct) return interpolate(gettext('%(species)s: you and the AI were both right.'), args, true);
    if (r.correct) return interpolate(gettext('%(species)s: you were right, the AI was wrong.'), args, true);
    if (r.ai_correct) return interpolate(gettext('%(species)s: you were wrong, the AI was right.'), args, true);
    return interpolate(gettext('%(species)s: you and the AI were both wrong.'), args, true);
  }

  // The opponent's name, translated by the server; sessions from before
  // levels existed played the Botanist.
  function opponent_name(session) {
    return session.level_name || fp.level_name(session.level || 'botanist');
  }

  function opponent_text(challenge) {
    return interpolate(gettext('Against the %(level)s'), { level: opponent_name(challenge) }, true);
  }

  fp.challenge = {
    description_phrase: description_phrase,
    level_label: level_label,
    initial_level: initial_level,
    resume_position: resume_position,
    results_from_session: results_from_session,
    score_text: score_text,
    outcome_text: outcome_text,
    round_summary: round_summary,
    opponent_name: opponent_name,
    opponent_text: opponent_text
  };
})();
