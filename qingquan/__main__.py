from qingquan.cli import main

main()
