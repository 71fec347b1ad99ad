from .cli import main

if __name__ == "__main__":  # a spawned speech worker imports this module too
    main()
