# Sourced by scripts/test: a Python venv in .build/test-venv with the packages the test servers
# in Tests/Servers need (httpbin for the outbound HTTP client tests, datasette for data sources), exported to the tests as
# SWITCHYARD_TEST_PYTHON. Reinstalls when the pinned versions change. browser.sh adds to it.
source "$(dirname "${BASH_SOURCE[0]}")/python-venv.sh"
test_python_venv="$PWD/.build/test-venv"
python_venv "$test_python_venv" "httpbin==0.10.4 flask==3.1.3 werkzeug==3.1.9 authlib==1.9.10 datasette==0.65.5" scripts/test
export SWITCHYARD_TEST_PYTHON="$test_python_venv/bin/python"
