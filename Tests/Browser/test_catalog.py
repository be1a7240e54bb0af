"""Connectors and integrations in the browser: an admin uploads a connector package through the
upload form (and a broken one, whose problems show by file and line), publishes it, creates an
integration from it and fills its parameters; a secret is never shown back."""

import io
import zipfile

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions

from console_browser import alert_text, api, axe, fill, heading, open_page, shot, submit, wait

KEY = "browser-catalog"
SPEC = f"""name: Browser catalog
key: {KEY}
parametersSchema:
  type: object
  required: [clientId]
  properties:
    clientId: {{type: string, title: Client id, description: The OAuth client id.}}
    clientSecret: {{type: string, format: password}}
auth:
  type: client-credentials
  makeApiClient:
    type: mapping
    mapping:
      baseUri: https://api.example.com
"""


def package(path, spec: str) -> str:
    """Writes a connector package zip with `spec` as its spec.yml; returns its path."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("spec.yml", spec)
    path.write_bytes(buffer.getvalue())
    return str(path)


def upload(driver, file: str) -> None:
    """Chooses `file` in the connector page's upload form and sends it."""
    driver.find_element(By.ID, "upload-file").send_keys(file)
    submit(driver, driver.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data'] button[type=submit]"))


def test_an_admin_uploads_a_connector_sees_a_broken_ones_lines_and_creates_an_integration(browser, signed_in_admin, scratch):
    server = signed_in_admin
    console = server.console_url
    status, answer = api(server, "POST", "/connectors", {"key": KEY, "name": "Placeholder"})
    assert status == 201, answer
    open_page(browser, console + "connectors")
    browser.find_element(By.LINK_TEXT, "Placeholder").click()
    assert heading(browser) == "Connector Placeholder"
    connector_url = browser.current_url

    upload(browser, package(scratch / "broken.zip", SPEC.replace("parametersSchema:", "colour: red\nparametersSchema:")))
    assert "The connector package is invalid (1 problem)" in alert_text(browser)
    cells = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, ".upload-report tbody td")]
    assert cells[:2] == ["spec.yml", "3"] and cells[2].startswith("colour: unknown field"), cells
    axe(browser, "connector-upload-problems")
    shot(browser, "connector-upload-problems")

    # console.js: a file dropped on the zone fills the file input (here four bytes: a broken zip).
    browser.execute_script("""
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array([80, 75, 5, 6])], "dropped.zip", {type: "application/zip"}));
        const drop = new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true});
        document.querySelector("[data-dropzone]").dispatchEvent(drop);
    """)
    assert browser.execute_script("return document.getElementById('upload-file').files[0].name") == "dropped.zip"
    assert browser.find_element(By.CSS_SELECTOR, "[data-dropzone-status]").text == "dropped.zip is ready. Press Upload to send it."
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form[enctype='multipart/form-data'] button[type=submit]"))
    assert "The connector archive was refused: archive" in alert_text(browser), alert_text(browser)

    upload(browser, package(scratch / "good.zip", SPEC))
    assert browser.current_url == connector_url
    assert heading(browser) == "Connector Browser catalog"
    assert "Package uploaded" in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
    fill(browser, {"publish-version": "1.0.0", "publish-changelog": "First."})
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/publish'] button[type=submit]"))
    assert "1.0.0" in browser.find_element(By.CSS_SELECTOR, "table").text
    axe(browser, "connector")
    shot(browser, "connector")

    browser.find_element(By.LINK_TEXT, "Create an integration from this connector").click()
    fill(browser, {"integration-key": "browser-int", "integration-name": "Browser integration"})
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form[method=post][action$='/integrations'] button[type=submit]"))
    assert heading(browser) == "Integration Browser integration", alert_text(browser)
    assert browser.find_element(By.ID, "parameter-1").get_attribute("required") is not None, "the browser asks for a required one first"
    fill(browser, {"parameter-1": "client-1", "parameter-2": "browser-secret-value"})
    submit(browser, browser.find_element(By.CSS_SELECTOR, "form[action$='/parameters'] button[type=submit]"))
    assert "Parameters saved." in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
    assert browser.find_element(By.ID, "parameter-2").get_attribute("type") == "password"
    assert browser.find_element(By.ID, "parameter-2").get_attribute("value") == ""
    assert "browser-secret-value" not in browser.page_source
    axe(browser, "integration")
    shot(browser, "integration")

    # console.js asks before archiving (data-confirm); accepted, the archive goes through.
    browser.execute_script("window.switchyardPageBeforeSubmit = true;")
    browser.find_element(By.CSS_SELECTOR, "form[action$='/archive'] button[type=submit]").click()
    wait(browser).until(expected_conditions.alert_is_present())
    assert browser.switch_to.alert.text.startswith("Archive the integration Browser integration?")
    browser.switch_to.alert.accept()
    wait(browser).until(lambda d: d.execute_script("return !window.switchyardPageBeforeSubmit && document.readyState === 'complete'"))
    assert heading(browser) == "Integrations"
    assert "Integration Browser integration archived." in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
