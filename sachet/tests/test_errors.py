from django.test import RequestFactory

from sachet.errors import server_error


def test_server_error_page_is_friendly_and_points_to_emergency_numbers():
    response = server_error(RequestFactory().get("/report"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert 'href="tel:112"' in page and 'href="tel:1098"' in page
