# pkgutil-style namespace package: each distribution ships this same file.
__path__ = __import__("pkgutil").extend_path(__path__, __name__)
