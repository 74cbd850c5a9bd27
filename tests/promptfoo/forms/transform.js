// promptfoo-style transform files: the result replaces `output` for the
// assertion that names it (`transform: file://forms/transform.js:asJson`).
module.exports.asJson = (output, context) => ({
  words: output.split(/\s+/).length,
  topic: context.vars.topic,
});
