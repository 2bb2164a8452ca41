// The Accept header read once for the whole kit: the one token ("avif", "webp" or "none") the cache key holds.
// Written in the part of ES5 that CloudFront Functions runtime 2.0 runs: the viewer-request function inlines this
// source at synth (modules/edge/viewer-request-function.ts drops the export line), the resizer imports it, so the
// edge and the resizer cannot read one header two ways.
//
// Only an explicit image/avif or image/webp counts (star/star is what curl, bots and old clients send). A media
// range's q is read as RFC 9110 writes it (0 to 1, at most three decimals); a malformed q means the range is not
// taken, and a type refused anywhere (q=0) is refused, whatever else the header says. "avif" stands for AVIF and
// WebP: every browser that decodes AVIF decodes WebP.
function acceptToken(header) {
  var accepted = {};
  var refused = {};
  var ranges = typeof header === 'string' ? header.split(',') : [];
  for (var i = 0; i < ranges.length; i++) {
    var parts = ranges[i].split(';');
    var type = parts[0].trim().toLowerCase();
    if (type === '' || type.indexOf('*') >= 0) continue;
    var q = 1;
    for (var j = 1; j < parts.length; j++) {
      var at = parts[j].indexOf('=');
      if (at < 0 || parts[j].slice(0, at).trim().toLowerCase() !== 'q') continue;
      var value = parts[j].slice(at + 1).trim();
      q = /^(0(\.[0-9]{0,3})?|1(\.0{0,3})?)$/.test(value) ? Number(value) : 0;
      break;
    }
    if (q > 0) accepted[type] = true;
    else refused[type] = true;
  }
  if (accepted['image/avif'] && !refused['image/avif']) return 'avif';
  if (accepted['image/webp'] && !refused['image/webp']) return 'webp';
  return 'none';
}
module.exports = { acceptToken: acceptToken };
