"""`python -m improveplan`."""

from improveplan.cli.main import main

if __name__ == "__main__":
    main()
