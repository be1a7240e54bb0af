/// The console's one script, served at `<base>/assets/console.js` on the pages that ask for it
/// (``PageView/script``). Plain JavaScript, no inline script (the CSP forbids it), and every page
/// works without it:
/// - a form with `data-confirm` asks before it is sent, and marks itself confirmed (`confirm=yes`),
///   so the server skips its own confirmation page;
/// - a `data-dropzone` element takes a dropped `.zip` into its file input, and says so.
enum ConsoleScript {
    /// The script's text.
    static let text = #"""
        "use strict";
        (function () {
          document.addEventListener("submit", function (event) {
            var form = event.target;
            var question = form.getAttribute("data-confirm");
            if (!question) { return; }
            if (!window.confirm(question)) { event.preventDefault(); return; }
            var confirmed = form.querySelector("input[name='confirm']");
            if (confirmed) { confirmed.value = "yes"; }
          });

          function describe(zone, text) {
            var status = zone.querySelector("[data-dropzone-status]");
            if (status) { status.textContent = text; }
          }

          Array.prototype.forEach.call(document.querySelectorAll("[data-dropzone]"), function (zone) {
            var input = zone.querySelector("input[type='file']");
            if (!input) { return; }
            zone.classList.add("dropzone-ready");
            ["dragenter", "dragover"].forEach(function (name) {
              zone.addEventListener(name, function (event) {
                event.preventDefault();
                zone.classList.add("dropzone-over");
              });
            });
            zone.addEventListener("dragleave", function () { zone.classList.remove("dropzone-over"); });
            zone.addEventListener("drop", function (event) {
              event.preventDefault();
              zone.classList.remove("dropzone-over");
              var files = event.dataTransfer ? event.dataTransfer.files : null;
              if (!files || files.length !== 1) { describe(zone, "Drop one .zip file."); return; }
              if (!/\.zip$/i.test(files[0].name)) { describe(zone, files[0].name + " is not a .zip file."); return; }
              input.files = files;
              describe(zone, files[0].name + " is ready. Press Upload to send it.");
            });
            input.addEventListener("change", function () {
              if (input.files && input.files.length === 1) { describe(zone, input.files[0].name + " is ready. Press Upload to send it."); }
            });
          });
        })();

        """#
}
