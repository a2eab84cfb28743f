"""What the security browser tests watch in Chromium: dialogs, page errors and CSP violations.

Every `securitypolicyviolation` event is echoed to the console with a prefix by an init
script (it survives navigations), and Chromium logs its own "Refused to …"/"violates the
following Content Security Policy" errors there too, so listening to the console catches
both kinds.
"""

VIOLATION_PREFIX = "CSP-VIOLATION"
_REPORT_VIOLATIONS = f"""
document.addEventListener("securitypolicyviolation", (event) => {{
  console.error("{VIOLATION_PREFIX}", event.violatedDirective, event.blockedURI,
                event.sourceFile, event.lineNumber, event.sample);
}});
"""


def watch(page):
    """Record on `page`: `page.messages` (console and page errors), `page.dialogs` (each
    dismissed at once). Call before the first navigation."""
    page.messages = []
    page.dialogs = []

    def on_dialog(dialog):
        page.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda message: page.messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: page.messages.append(f"pageerror: {error}"))
    page.add_init_script(_REPORT_VIOLATIONS)
    return page


def violations(messages):
    """The CSP violations and script errors among recorded console messages."""
    return [
        m
        for m in messages
        if VIOLATION_PREFIX in m
        or "Content Security Policy" in m
        or "Refused to" in m
        or m.startswith("pageerror")
    ]
