from regulars.cli import main

main()
