// CloudFront Function (runtime cloudfront-js-2.0), viewer response, object-lambda origin only.
// WriteGetObjectResponse can set no arbitrary header, so the resizer sends Vary and Server-Timing as
// object metadata (x-amz-meta-vary, x-amz-meta-server-timing); here they get their real names back,
// and no other x-amz-meta-* header reaches viewers.
function handler(event) {
  var headers = event.response.headers;
  var renamed = RENAMED;
  Object.keys(headers).forEach(function (name) {
    if (name.indexOf('x-amz-meta-') !== 0) return;
    if (renamed[name]) headers[renamed[name]] = headers[name];
    delete headers[name];
  });
  return event.response;
}
