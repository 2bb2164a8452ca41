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
// is refused here. CONFIG is written in at synth; keep this file under 10 KB.
var CONFIG = {};

var POSITIVE_INTEGER = /^[1-9][0-9]*$/;

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

function checkInteger(name, value, max, allowed) {
  if (!POSITIVE_INTEGER.test(value) || Number(value) > max) {
    return name + ' must be an integer from 1 to ' + max + ', got ' + echo(value);
  }
  if (allowed.length > 0 && allowed.indexOf(Number(value)) < 0) {
    return name + ' must be one of ' + allowed.join(', ') + ', got ' + echo(value);
  }
  return null;
}

function problem(name, value) {
  if (value === '') return name + ' must not be empty';
  if (name === 'w') return checkInteger('w', value, CONFIG.maxWidth, CONFIG.allowedWidths);
  if (name === 'h') return checkInteger('h', value, CONFIG.maxHeight, CONFIG.allowedHeights);
  if (name === 'q') return checkInteger('q', value, CONFIG.maxQuality, []);
  if (name === 'fit' && CONFIG.fits.indexOf(value) < 0) return 'fit must be one of ' + CONFIG.fits.join(', ') + ', got ' + echo(value);
  if (name === 'format' && CONFIG.formats.indexOf(value) < 0) return 'format must be one of ' + CONFIG.formats.join(', ') + ', got ' + echo(value);
  return null;
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

function isDefault(name, value) {
  return (name === 'fit' && value === CONFIG.defaultFit) || (name === 'format' && value === CONFIG.defaultFormat) ||
    (name === 'q' && Number(value) === CONFIG.defaultQuality);
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
  var given = CONFIG.keys.filter(function (key) { return query[key]; });
  if (!query.preset) {
    if (CONFIG.onlyPresets && given.length > 0) return badRequest('only presets are served: use preset=' + names.join('|'));
    return query;
  }
  if (query.preset.multiValue && query.preset.multiValue.length > 1) return badRequest('preset must be given at most once');
  var name = query.preset.value;
  if (names.indexOf(name) < 0) return badRequest('preset must be one of ' + (names.join(', ') || '(none configured)') + ', got ' + echo(name));
  if (given.length > 0) return badRequest('preset takes no other parameter, got ' + given.join(', '));
  var expanded = {};
  var preset = CONFIG.presets[name];
  Object.keys(preset).forEach(function (key) { expanded[key] = { value: preset[key] }; });
  return expanded;
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
  var format = CONFIG.defaultFormat;
  delete request.headers[CONFIG.acceptHeader];
  delete request.headers[CONFIG.paramsHeader];
  // Images are not compressed again, and a streamed function URL answer must not be: Accept-Encoding reaching
  // one is known to cause intermittent 502s (opennextjs-aws#1127). The cache policy forwards none either.
  delete request.headers['accept-encoding'];
  for (var i = 0; i < CONFIG.keys.length; i++) {
    var name = CONFIG.keys[i];
    var param = query[name];
    if (!param) continue;
    if (param.multiValue && param.multiValue.length > 1) {
      return badRequest(name + ' must be given at most once, got ' + param.multiValue.length + ' values');
    }
    var value;
    try { value = decoded(param.value); } catch (e) { return badRequest(name + ' is not valid percent-encoding'); }
    var reason = problem(name, value);
    if (reason) return badRequest(reason);
    given = true;
    if (name === 'format') format = value;
    // Valid values are digits and lowercase words: nothing to escape. The keys are sorted, so is the result.
    if (!isDefault(name, value)) clean.push(name + '=' + value);
  }
  request.querystring = {};
  if (!given) {
    if (!CONFIG.originals) return refusal(403, 'Forbidden', 'public, max-age=' + CONFIG.errorTtl, 'originals are not served: ask for a variant (' + CONFIG.keys.join(', ') + ')');
    cf.selectRequestOriginById(CONFIG.originals);
    return request;
  }
  // Every parameter at its default still asks for a variant: keep one canonical marker for it.
  if (clean.length === 0) clean.push('format=' + CONFIG.defaultFormat);
  request.headers[CONFIG.paramsHeader] = { value: clean.join('&') };
  if (format === CONFIG.defaultFormat) {
    request.headers[CONFIG.acceptHeader] = { value: acceptToken(request.headers.accept && request.headers.accept.value) };
  }
  return request;
}
