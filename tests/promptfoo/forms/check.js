// A promptfoo-style JavaScript file assertion: CommonJS, (output, context).
module.exports = (output, context) => ({
  pass: output.length > 0 && typeof context.vars.topic === 'string',
  score: output.length > 0 ? 1 : 0,
  reason: `answer of ${output.length} characters about ${context.vars.topic}`,
});
module.exports.mentionsTime = (output) => output.toLowerCase().includes('time');
