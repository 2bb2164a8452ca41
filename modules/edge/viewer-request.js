// CloudFront Function (runtime cloudfront-js-2.0), viewer request. Normalizes the request before the
// cache lookup so the cache key holds clean values only: keeps the resize parameters alone, sorted,
// drops defaults, refuses malformed values with 400, and passes them on in one header, x-resize-params
// ("fit=inside&w=500"), with Accept reduced to one token in x-resize-accept. The query string itself
// is not forwarded (the cache policy keys on the two headers only), so the origin reads the parameters
// from a header of ours, never from a URL whose key may hold '?', '#' or '%'.
// With CORS configured it answers preflight (OPTIONS) itself: CloudFront forwards OPTIONS to the origin,
// which cannot answer it. A request without resize parameters asks for the original: it goes to the bucket
// itself (runtime 2.0's cf.selectRequestOriginById, "Helper methods for origin modification"), so S3 answers
// with its own Range, HEAD, ETag and 304, and the resizer only ever makes variants; with originals "deny" it
// is refused here. CONFIG (the contract's parameters, the limits, the options) is written in at synth from
// lambda-src/core/contract.ts; the minified function stays under CloudFront's 10 KB (a test measures the largest).
var CONFIG = {};
// CONTRACT.* (the header names, the preset parameter, the signing names) are the contract's constants, written in as
// literals when minified (EDGE_CONTRACT in viewer-request-function.ts).
// The contract's parameters, sorted: the order of the canonical query (and of the signed string).
var KEYS = Object.keys(CONFIG.params).sort();

// An answer from the edge itself: the status and a one-line reason.
function refusal(statusCode, statusDescription, cacheControl, reason) {
  return {
    statusCode: statusCode,
    statusDescription: statusDescription,
    headers: { 'content-type': { value: 'text/plain; charset=utf-8' }, 'cache-control': { value: cacheControl } },
    body: { encoding: 'text', data: reason + '\n' }
  };
}

function badRequest(reason) {
  return refusal(400, 'Bad Request', 'public, max-age=' + CONFIG.errorTtl, reason);
}

// Reasons read exactly as the resizer's own (lambda-src/core/params.ts); a test holds them together.
function echo(value) {
  return JSON.stringify(value.length > 32 ? value.slice(0, 32) + '...' : value);
}

// A parameter's value in its one spelling ({ v }), or why it is refused ({ r }), by its declaration in CONFIG.params
// (lambda-src/core/contract.ts, as edgeParameters writes it): ['i', max, allowed] an integer 1..max (one of allowed
// when set), ['c', values] one of values, ['d', min, max, step] a decimal snapped to step, ['x'] a colour as 3 or 6
// hex digits snapped to 12 bits.
function canonical(name, value) {
  var p = CONFIG.params[name];
  var n;
  if (value === '') return { r: name + ' must not be empty' };
  if (p[0] === 'c') return p[1].indexOf(value) < 0 ? { r: name + ' must be one of ' + p[1].join(', ') + ', got ' + echo(value) } : { v: value };
  if (p[0] === 'i') {
    if (!/^[1-9][0-9]*$/.test(value) || Number(value) > p[1]) return { r: name + ' must be an integer from 1 to ' + p[1] + ', got ' + echo(value) };
    if (p[2].length > 0 && p[2].indexOf(Number(value)) < 0) return { r: name + ' must be one of ' + p[2].join(', ') + ', got ' + echo(value) };
    return { v: value };
  }
  if (p[0] === 'd') {
    n = /^([0-9]+(\.[0-9]+)?|\.[0-9]+)$/.test(value) ? Number(value) : NaN;
    if (!(n >= p[1] && n <= p[2])) return { r: name + ' must be a number from ' + p[1] + ' to ' + p[2] + ', got ' + echo(value) };
    return { v: String(Number((Math.round(n / p[3]) * p[3]).toFixed(6))) };
  }
  if (!/^([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(value)) return { r: name + ' must be 3 or 6 hex digits (rgb or rrggbb), got ' + echo(value) };
  if (value.length === 3) return { v: value.toLowerCase() };
  return { v: [0, 2, 4].map(function (at) { return Math.round(parseInt(value.slice(at, at + 2), 16) / 17).toString(16); }).join('') };
}

// The one spelling of a key's path (urlPathOfKey in lambda-src/core/contract.ts): decoded once, each '/'-separated
// segment encoded as encodeURIComponent does, as signImageUrl writes it and purge invalidates it. CloudFront keys its
// cache on the path as sent, so any other spelling (%63at.jpg, photos%2Fcat.jpg, %2b for %2B) would be another
// entry, another paid transformation, and one purge would miss. It is redirected, not rewritten: a rewritten URI
// would be cached under both spellings (CloudFront's invalidation guide then asks to invalidate both).
function spellingRedirect(request) {
  var canonical;
  if (request.uri.charAt(0) !== '/') return badRequest('the path must start with /');
  try {
    canonical = '/' + decodeURIComponent(request.uri.slice(1)).split('/').map(encodeURIComponent).join('/');
  } catch (e) {
    return badRequest('the path is not valid percent-encoding');
  }
  if (canonical === request.uri) return null;
  var query = [];
  Object.keys(request.querystring).forEach(function (name) {
    var param = request.querystring[name];
    (param.multiValue || [param]).forEach(function (item) { query.push(item.value === '' ? name : name + '=' + item.value); });
  });
  return {
    statusCode: 301,
    statusDescription: 'Moved Permanently',
    headers: { location: { value: canonical + (query.length ? '?' + query.join('&') : '') }, 'cache-control': { value: 'public, max-age=' + CONFIG.errorTtl } }
  };
}

// Decoded as URLSearchParams decodes at the resizer ('+' is a space), so both read the same value.
function decoded(value) {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function preflight(request) {
  var cors = CONFIG.cors;
  var origin = request.headers.origin && request.headers.origin.value;
  var method = request.headers['access-control-request-method'];
  var headers = { vary: { value: 'Origin' } };
  var allowed = cors.allowedOrigins.indexOf('*') >= 0 ? '*' : cors.allowedOrigins.indexOf(origin) >= 0 ? origin : null;
  if (allowed && method && (method.value === 'GET' || method.value === 'HEAD')) {
    headers['access-control-allow-origin'] = { value: allowed };
    headers['access-control-allow-methods'] = { value: 'GET, HEAD' };
    var asked = request.headers['access-control-request-headers'];
    if (asked) headers['access-control-allow-headers'] = { value: asked.value };
    headers['access-control-max-age'] = { value: String(cors.maxAgeSeconds) };
  }
  // Without the allow headers the browser refuses the cross-origin request: the answer to a disallowed origin.
  return { statusCode: 204, statusDescription: 'No Content', headers: headers };
}

// ?preset=<name> stands for its parameters, expanded here so that it normalizes (and caches) exactly as they
// would. A preset takes no other parameter; with onlyPresets, parameters without a preset are refused.
function presetQuery(query) {
  var names = Object.keys(CONFIG.presets);
  var given = KEYS.filter(function (key) { return query[key]; });
  var asked = query[CONTRACT.preset];
  if (!asked) {
    if (CONFIG.onlyPresets && given.length > 0) return badRequest('only presets are served: use ' + CONTRACT.preset + '=' + names.join('|'));
    return query;
  }
  if (asked.multiValue && asked.multiValue.length > 1) return badRequest(CONTRACT.preset + ' must be given at most once');
  var name = asked.value;
  if (names.indexOf(name) < 0) return badRequest(CONTRACT.preset + ' must be one of ' + (names.join(', ') || '(none configured)') + ', got ' + echo(name));
  if (given.length > 0) return badRequest(CONTRACT.preset + ' takes no other parameter, got ' + given.join(', '));
  var expanded = {};
  // A preset is its parameters as a query (validated at synth: no '&', '=' or '%' inside a value).
  CONFIG.presets[name].split('&').forEach(function (pair) {
    var at = pair.indexOf('=');
    expanded[pair.slice(0, at)] = { value: pair.slice(at + 1) };
  });
  return expanded;
}

// w=auto with client hints on (CONFIG.hints, HINTED_WIDTH in lambda-src/core/contract.ts): the image's width in
// physical pixels from Sec-CH-Width, else Sec-CH-Viewport-Width (CSS pixels) times Sec-CH-DPR, snapped up to the
// ladder (at most its largest); without a usable hint (absent, not a positive number) the fallback width.
function hintedWidth(headers) {
  var hint = function (name) { return headers[name] ? Number(headers[name].value) : NaN; };
  var pixels = hint('sec-ch-width');
  if (!(pixels > 0)) pixels = hint('sec-ch-viewport-width') * (hint('sec-ch-dpr') > 0 ? hint('sec-ch-dpr') : 1);
  if (!(pixels > 0)) return CONFIG.hints.fallbackWidth;
  var ladder = CONFIG.hints.widths;
  for (var i = 0; i < ladder.length - 1 && ladder[i] < pixels; i++);
  return ladder[i];
}

function normalize(event) {
  var request = event.request;
  if (request.method === 'OPTIONS' && CONFIG.cors) return preflight(request);
  var respelled = spellingRedirect(request);
  if (respelled) return respelled;
  var query = presetQuery(request.querystring);
  if (query.statusCode) return query;
  var clean = [];
  var given = false;
  var hinted = false;
  var format = CONFIG.defaults.format;
  delete request.headers[CONTRACT.acceptHeader];
  delete request.headers[CONTRACT.paramsHeader];
  // Images are not compressed again, and a streamed function URL answer must not be: Accept-Encoding reaching
  // one is known to cause intermittent 502s (opennextjs-aws#1127). The cache policy forwards none either.
  delete request.headers['accept-encoding'];
  var values = {};
  for (var i = 0; i < KEYS.length; i++) {
    var name = KEYS[i];
    var param = query[name];
    if (!param) continue;
    if (param.multiValue && param.multiValue.length > 1) {
      return badRequest(name + ' must be given at most once, got ' + param.multiValue.length + ' values');
    }
    var value;
    try { value = decoded(param.value); } catch (e) { return badRequest(name + ' is not valid percent-encoding'); }
    if (name === 'w' && value === CONTRACT.hintedWidth && CONFIG.hints) value = String(hintedWidth(request.headers)), hinted = true;
    var checked = canonical(name, value);
    if (checked.r) return badRequest(checked.r);
    given = true;
    values[name] = checked.v;
  }
  // dpr is folded into w and h here, after their allow-lists and capped at the limits: w=300&dpr=2 is w=600. With
  // w=auto it is ignored: the hints carry the device's ratio.
  if (hinted) delete values.dpr;
  ['w', 'h'].forEach(function (side) {
    if (values[side] && values.dpr) values[side] = String(Math.min(Math.round(values[side] * values.dpr), CONFIG.params[side][1]));
  });
  delete values.dpr;
  // Canonical: the keys sorted, defaults dropped; valid values are digits, dots and lowercase words: nothing to escape.
  KEYS.forEach(function (key) {
    if (values[key] !== undefined && values[key] !== CONFIG.defaults[key]) clean.push(key + '=' + values[key]);
  });
  if (values.format) format = values.format;
  request.querystring = {};
  if (!given) {
    if (!CONFIG.originals) return refusal(403, 'Forbidden', 'public, max-age=' + CONFIG.errorTtl, 'originals are not served: ask for a variant (' + KEYS.join(', ') + ')');
    cf.selectRequestOriginById(CONFIG.originals);
    return request;
  }
  // Every parameter at its default still asks for a variant: keep one canonical marker for it.
  if (clean.length === 0) clean.push('format=' + CONFIG.defaults.format);
  request.headers[CONTRACT.paramsHeader] = { value: clean.join('&') };
  if (format === CONFIG.defaults.format) {
    request.headers[CONTRACT.acceptHeader] = { value: acceptToken(request.headers.accept && request.headers.accept.value) };
  }
  return request;
}
