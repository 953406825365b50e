"""The Content-Security-Policy of our HTML pages, and the password rules."""

from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE

# No inline script anywhere: every page's scripts are our static files. The one inline script
# we serve, drf-spectacular's Swagger UI start-up, carries the request's nonce
# (templates/drf_spectacular/swagger_ui.html). Inline *styles* stay allowed: the admin, Swagger
# UI and D3 set style attributes, and a style cannot run code. data: images are the plots'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
    # Only HTML and SVG responses carry it (flower_power/security_headers.py): JSON for
    # programs is never rendered or run (nosniff), and building the policy cost ~0.2 ms.
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # The username repeated, reversed or recased ("load7load7load7") is refused.
    {"NAME": "trainees.validators.UsernameDerivedPasswordValidator"},
]
