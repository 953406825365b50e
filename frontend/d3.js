// The parts of D3 the trainee page uses, bundled by `npm ci` (the "prepare" script) into
// node_modules/.build/d3/d3.min.js, served as /static/vendor/d3/d3.min.js: a global `d3` with
// the same calls as the full build, at a fraction of its weight. A new d3.* call in
// static/app/ needs its export here (tests/js and the browser tests fail without it).
export { select, selectAll } from 'd3-selection';
export { scaleLinear, scaleBand } from 'd3-scale';
export { axisBottom, axisLeft } from 'd3-axis';
export { format } from 'd3-format';
export { line } from 'd3-shape';
// Adds selection.transition() (charts.js, flower.js animate their bars and petals).
import 'd3-transition';
