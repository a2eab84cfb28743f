def test_home_page_renders_in_chromium(live_server, page):
    page.goto(live_server.url + "/")
    assert page.title() == "citegrid"
