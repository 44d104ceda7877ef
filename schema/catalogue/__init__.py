"""The catalogue (一表一图): units and positions, powers and their bases, flow charts, the catalogue's exchange
with files and other places (export, import, 对照), and 公示 / 征求意见 (comment periods)."""
