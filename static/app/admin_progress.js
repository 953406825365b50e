/*
 * admin_progress.js: the model versions' list and detail pages in the admin show a training's
 * progress live. Every status cell (ml/admin/versions.py, status_display) whose version is
 * queued or training polls its progress view until the training ends, then shows the final
 * status, accuracy and promotion gate decision. A static file, no inline script (CSP).
 */
(function () {
  'use strict';

  var INTERVAL_MS = 1500;

  function setText(node, text) {
    if (node && text !== undefined && text !== null) node.textContent = text;
  }

  // The cells to refresh next to a status: the same row in the list, the page's fields on
  // the detail page.
  function neighbours(widget) {
    var row = widget.closest('tr');
    var scope = row || document;
    function cell(name) {
      return row
        ? scope.querySelector('.field-' + name)
        : scope.querySelector('.field-' + name + ' .readonly');
    }
    return {
      accuracy: cell('accuracy_display'),
      gate: row ? cell('gate_short') : cell('gate_decision'),
      active: cell('is_active')
    };
  }

  function show(widget, data) {
    var bar = widget.querySelector('.training-progress');
    var percent = Math.round(data.progress * 100);
    setText(widget.querySelector('.training-status-text'), data.status_display);
    widget.setAttribute('data-status', data.status);
    if (data.running) {
      bar.hidden = false;
      bar.value = percent;
      bar.textContent = percent + '%';
      setText(widget.querySelector('.training-progress-message'), data.progress_text);
      return;
    }
    bar.hidden = true;
    setText(widget.querySelector('.training-progress-message'), '');
    widget.setAttribute('data-running', 'false');
    var cells = neighbours(widget);
    setText(cells.accuracy, data.accuracy);
    setText(cells.gate, widget.closest('tr') ? data.gate_short : data.gate);
  }

  function follow(widget) {
    var url = widget.getAttribute('data-progress-url');
    function poll() {
      fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (response) {
          if (!response.ok) throw new Error('HTTP ' + response.status);
          return response.json();
        })
        .then(function (data) {
          show(widget, data);
          if (data.running) window.setTimeout(poll, INTERVAL_MS);
        })
        .catch(function () {
          // A hiccup (a restart, a dropped connection): try again, more slowly.
          window.setTimeout(poll, INTERVAL_MS * 4);
        });
    }
    window.setTimeout(poll, INTERVAL_MS);
  }

  function start() {
    var widgets = document.querySelectorAll('.training-status[data-running="true"]');
    Array.prototype.forEach.call(widgets, follow);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
