// The API's documentation page: Swagger UI (from drf-spectacular-sidecar, served by us) reads
// the schema URL from the page, so no inline script is needed under the site's CSP.
"use strict";
(function () {
  const root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    supportedSubmitMethods: ["get", "head"],
  });
})();
