'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * The no-op servers' answers, as JSON text: a real bankchurn prediction of the model server for one instance,
 * without and with its explanation (fixed-response.json), so the no-op responses are as large as the real ones.
 */
exports.fixedResponses = () => {
  const fixed = JSON.parse(readFileSync(join(__dirname, 'fixed-response.json'), 'utf8'));
  return { predict: JSON.stringify(fixed.predict), explain: JSON.stringify(fixed.explain) };
};
